// The transcript view: segments with times, click to play, the playing one highlighted,
// the text editable in place; live turns show their partial text greyed until final; a
// diarized transcript shows each segment's speaker.
import { download, render, shortClock } from "./formats.js";
import { t } from "./i18n.js";

const list = document.getElementById("segments");
const player = document.getElementById("player");
const empty = document.getElementById("transcript-empty");
const title = document.getElementById("transcript-name");
const tools = document.querySelectorAll(".tools button");
let shown = null;

export function fromVerbose(name, body, audioUrl = null) {
  const segments = (body.segments || []).map((s) => ({
    start: s.start, end: s.end, text: s.text.trim(), words: s.words || null,
    speaker: s.speaker || null,
  }));
  if (!segments.length && body.text) segments.push({ start: 0, end: body.duration || 0, text: body.text });
  return { name, language: body.language || null, duration: body.duration || null, segments, audioUrl };
}

function row(segment, index) {
  const item = document.createElement("li");
  item.className = "segment";
  item.dataset.index = String(index);
  if (segment.partial) item.classList.add("partial");
  const time = document.createElement("button");
  time.type = "button";
  time.className = "time";
  time.textContent = shortClock(segment.start);
  time.setAttribute("aria-label", `${shortClock(segment.start)} – ${shortClock(segment.end)}`);
  time.addEventListener("click", () => play(segment.start));
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = segment.partial && !segment.text.trim() ? "…" : segment.text;
  if (!segment.partial) {
    text.contentEditable = "plaintext-only";
    text.spellcheck = false;
    text.addEventListener("input", () => {
      segment.text = text.textContent;
      segment.edited = true;
    });
  }
  item.append(time);
  if (segment.speaker) item.append(speakerTag(segment.speaker));
  item.append(text);
  return item;
}

// SPEAKER_2 shows as "Speaker 2" (화자 2), coloured by its number; a click renames the speaker
// everywhere in the transcript, and the downloads carry the new name
function speakerTag(label) {
  const tag = document.createElement("button");
  const number = /^SPEAKER_(\d+)$/.exec(label);
  tag.type = "button";
  tag.className = "speaker";
  tag.dataset.speaker = label;
  tag.dataset.hue = String(number ? Number(number[1]) % 6 : hue(label));
  tag.textContent = number ? t("speaker.label", { n: Number(number[1]) }) : label;
  tag.title = t("speaker.rename");
  tag.addEventListener("click", () => editName(tag, label));
  return tag;
}

function hue(name) {
  let total = 0;
  for (const char of name) total = (total * 31 + char.codePointAt(0)) % 6;
  return total;
}

function editName(tag, label) {
  const input = document.createElement("input");
  input.className = "speaker-name";
  input.value = /^SPEAKER_\d+$/.test(label) ? "" : label;
  input.placeholder = tag.textContent;
  input.setAttribute("aria-label", t("speaker.rename"));
  let keep = true;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "Escape") {
      event.preventDefault();
      keep = event.key === "Enter";
      input.blur();
    }
  });
  input.addEventListener("blur", () => {
    const name = input.value.trim();
    if (keep && name && name !== label) rename(label, name);
    refresh();
  });
  tag.replaceWith(input);
  input.focus();
}

export function rename(label, name) {
  for (const segment of shown ? shown.segments : []) {
    if (segment.speaker === label) segment.speaker = name;
    for (const word of segment.words || []) if (word.speaker === label) word.speaker = name;
  }
}

function play(start) {
  if (!shown || !shown.audioUrl) return;
  player.currentTime = start;
  player.play().catch(() => {});
}

export function show(transcript) {
  shown = transcript;
  refresh();
}

export function current() {
  return shown;
}

export function refresh() {
  const transcript = shown;
  title.textContent = transcript ? transcript.name : "";
  const segments = transcript ? transcript.segments : [];
  const editing = list.contains(document.activeElement);
  if (!editing) list.replaceChildren(...segments.map(row));
  empty.hidden = segments.length > 0;
  if (transcript && !segments.length && !transcript.live) empty.textContent = t("transcript.nothing");
  else empty.textContent = t("transcript.empty");
  const ready = Boolean(transcript && segments.some((s) => !s.partial));
  for (const button of tools) button.disabled = !ready;
  if (transcript && transcript.audioUrl) {
    if (player.src !== transcript.audioUrl) player.src = transcript.audioUrl;
    player.hidden = false;
  } else {
    player.removeAttribute("src");
    player.hidden = true;
  }
}

function highlight() {
  if (!shown) return;
  const now = player.currentTime;
  shown.segments.forEach((segment, index) => {
    const item = list.children[index];
    if (item) item.classList.toggle("playing", now >= segment.start && now < segment.end);
  });
}

player.addEventListener("timeupdate", highlight);

for (const button of document.querySelectorAll(".tools button[data-format]")) {
  button.addEventListener("click", () => shown && download(shown, button.dataset.format));
}

document.getElementById("copy").addEventListener("click", async (event) => {
  if (!shown) return;
  const button = event.currentTarget;
  try {
    await navigator.clipboard.writeText(render(shown, "txt"));
    button.textContent = t("transcript.copied");
    setTimeout(() => (button.textContent = t("transcript.copy")), 1500);
  } catch {
    // clipboard refused (no permission): nothing to undo
  }
});
