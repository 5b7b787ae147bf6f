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

// SPEAKER_2 shows as "Speaker 2" (화자 2), coloured by its number; downloads keep the label
function speakerTag(label) {
  const tag = document.createElement("span");
  const number = Number(label.split("_").pop()) || 0;
  tag.className = "speaker";
  tag.dataset.speaker = label;
  tag.dataset.hue = String(number % 6);
  tag.textContent = number ? t("speaker.label", { n: number }) : label;
  return tag;
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
