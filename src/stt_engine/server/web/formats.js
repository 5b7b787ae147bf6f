// The transcript (with the user's corrections) as txt, srt, vtt and json, built in the page.
function clock(seconds, separator) {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

export function shortClock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, "0");
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const spoken = (segments) => segments.filter((s) => s.text.trim());
const tagged = (s) => (s.speaker ? `[${s.speaker}] ${s.text.trim()}` : s.text.trim());

// txt: a line per segment, the speaker's label where a new speaker's run starts
function plain(segments) {
  let last = null;
  return segments.map((s) => {
    const line = s.speaker && s.speaker !== last ? tagged(s) : s.text.trim();
    last = s.speaker;
    return line;
  });
}

const voiced = (s) => (s.speaker ? `<v ${s.speaker}>${s.text.trim()}` : s.text.trim());

const WRITERS = {
  txt: {
    type: "text/plain",
    write: (t) => plain(spoken(t.segments)).join("\n") + "\n",
  },
  srt: {
    type: "application/x-subrip",
    write: (t) =>
      spoken(t.segments)
        .map((s, i) => `${i + 1}\n${clock(s.start, ",")} --> ${clock(s.end, ",")}\n${tagged(s)}\n`)
        .join("\n"),
  },
  vtt: {
    type: "text/vtt",
    write: (t) =>
      "WEBVTT\n\n" +
      spoken(t.segments)
        .map((s) => `${clock(s.start, ".")} --> ${clock(s.end, ".")}\n${voiced(s)}\n`)
        .join("\n"),
  },
  json: {
    type: "application/json",
    write: (t) =>
      JSON.stringify(
        {
          text: spoken(t.segments).map((s) => s.text.trim()).join(" "),
          language: t.language,
          duration: t.duration,
          segments: t.segments.map((s, id) => ({
            id, start: s.start, end: s.end, text: s.text.trim(), edited: s.edited || false,
            ...(s.speaker ? { speaker: s.speaker } : {}),
            ...(s.words ? { words: s.words } : {}),
          })),
        },
        null,
        2,
      ) + "\n",
  },
};

export function render(transcript, format) {
  return WRITERS[format].write(transcript);
}

export function download(transcript, format) {
  const blob = new Blob([render(transcript, format)], { type: `${WRITERS[format].type};charset=utf-8` });
  const link = document.createElement("a");
  const base = transcript.name.replace(/\.[^.]+$/, "") || "transcript";
  link.href = URL.createObjectURL(blob);
  link.download = `${base}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
