// The page: settings from the server, the key prompt, the health badge, and the wiring of
// uploads, recording, the transcript and the jobs list.
import { ApiError, getJson, key, whenUnauthorized } from "./api.js";
import { banner, showError } from "./banners.js";
import { shortClock } from "./formats.js";
import { t, translatePage } from "./i18n.js";
import * as jobs from "./jobs.js";
import { LiveSession } from "./mic.js";
import { current, fromVerbose, refresh, show } from "./transcript.js";
import { becomesJob, submitJob, tooLarge, transcribe } from "./upload.js";

const $ = (id) => document.getElementById(id);
const results = [];
const jobAudio = new Map();
let config = null;
let live = null;

function options() {
  return {
    model: $("model").value, language: $("language").value, task: $("task").value,
    words: $("words").checked, vad: $("vad").checked,
    speakers: config.diarize && $("speakers").checked,
    profiles: [...document.querySelectorAll("#profiles input:checked")].map((box) => box.value),
  };
}

// The saved voice profiles this key may name (GET /v1/speakers), as checkboxes
async function loadProfiles() {
  const { data } = await getJson("/v1/speakers");
  const boxes = data.map((profile) => {
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = profile.name;
    label.append(box, ` ${profile.name}`);
    return label;
  });
  $("profiles").replaceChildren(...boxes);
  $("profiles-option").hidden = boxes.length === 0;
}

function addResult(name) {
  const entry = { name, state: "working", transcript: null };
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  const label = document.createElement("span");
  label.className = "name";
  label.textContent = name;
  const status = document.createElement("span");
  status.className = "state";
  button.append(label, status);
  button.addEventListener("click", () => entry.transcript && select(entry));
  item.append(button);
  $("results").prepend(item);
  entry.update = (state) => {
    entry.state = state;
    status.textContent = t(`results.${state}`);
    item.dataset.state = state;
  };
  entry.item = item;
  entry.update("working");
  results.push(entry);
  return entry;
}

function select(entry) {
  for (const other of results) other.item.classList.toggle("selected", other === entry);
  show(entry.transcript);
}

async function handleFile(file) {
  const refusal = tooLarge(file, config);
  if (refusal) return void banner(refusal);
  const entry = addResult(file.name);
  try {
    if (await becomesJob(file, config)) {
      const job = await submitJob(file, options());
      jobAudio.set(job.id, { url: URL.createObjectURL(file), entry });
      entry.update("job");
      jobs.watch(job);
      return;
    }
    entry.transcript = await transcribe(file, options());
    entry.update("done");
    select(entry);
  } catch (error) {
    entry.update("failed");
    showError(error, file.name);
  }
}

async function handleFiles(files) {
  for (const file of files) await handleFile(file);
}

async function openJob(job) {
  try {
    const body = await getJson(`/v1/jobs/${encodeURIComponent(job.id)}/result?format=verbose_json`);
    const kept = jobAudio.get(job.id);
    const transcript = fromVerbose(job.filename, body, kept ? kept.url : null);
    const entry = kept ? kept.entry : addResult(job.filename);
    entry.transcript = transcript;
    entry.update("done");
    select(entry);
  } catch (error) {
    showError(error, job.filename);
  }
}

function jobEnded(job) {
  const kept = jobAudio.get(job.id);
  if (!kept) return;
  if (job.status === "succeeded") openJob(job);
  else if (job.status === "cancelled") kept.entry.update("cancelled");
  else {
    kept.entry.update("failed");
    if (job.error) showError(job.error, job.filename);
  }
}

function wireUploads() {
  const drop = $("drop");
  $("file-input").addEventListener("change", (event) => {
    handleFiles([...event.target.files]);
    event.target.value = "";
  });
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      $("file-input").click();
    }
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    handleFiles([...event.dataTransfer.files]);
  });
}

async function toggleRecording() {
  const button = $("record");
  if (live) {
    const session = live;
    live = null;
    button.disabled = true;
    const recording = await session.stop();
    const url = URL.createObjectURL(recording);
    session.transcript.audioUrl = url;
    session.entry.update("done");
    Object.assign($("recording"), { href: url, hidden: false, download: session.fileName });
    $("level").style.width = "0";
    button.textContent = t("mic.start");
    button.classList.remove("recording");
    button.disabled = false;
    refresh();
    return;
  }
  const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const transcript = { name: t("mic.name", { time }), language: null, duration: null, segments: [], audioUrl: null, live: true };
  const session = new LiveSession(transcript, {
    onChange: () => current() === transcript && refresh(),
    onLevel: (value) => {
      $("level").style.width = `${Math.round(value * 100)}%`;
      $("mic-time").textContent = shortClock(session.seconds);
    },
    onError: (error) => (error.lost ? banner(t("mic.lost"), "error", error.message) : showError(error)),
  });
  try {
    const { model, language, speakers } = options();
    await session.start({ model, language, speakers });
  } catch (error) {
    if (error instanceof ApiError) showError(error);
    else banner(t("mic.denied", { message: error.message }));
    return;
  }
  live = session;
  session.fileName = `recording-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}.wav`;
  session.entry = addResult(transcript.name);
  session.entry.update("live");
  session.entry.transcript = transcript;
  select(session.entry);
  button.textContent = t("mic.stop");
  button.classList.add("recording");
}

async function health() {
  const badge = $("health");
  try {
    const body = await (await fetch("/health")).json();
    badge.dataset.state = body.ready ? "ready" : "busy";
    const queue = t("health.queue", { queued: body.queued, size: body.queue_size });
    const device = body.device ? body.device.toUpperCase() : "?";
    badge.textContent = `${body.ready ? t("health.ready") : body.reason} · ${device} · ${body.default_model} · ${queue}`;
  } catch {
    badge.dataset.state = "down";
    badge.textContent = t("health.down");
  }
}

async function loadModels() {
  const select = $("model");
  const listed = (await getJson("/v1/models")).data.filter((m) => m.id === m.root);
  select.replaceChildren(
    ...listed.map((m) => new Option(m.id, m.id, m.default, m.default)),
  );
}

async function unlocked() {
  $("key-form").hidden = true;
  try {
    await loadModels();
  } catch (error) {
    if (error.status !== 401) showError(error);
    return;
  }
  if (config.jobs_enabled) jobs.refresh();
  else document.querySelector("section.jobs").hidden = true;
  if (config.diarize) loadProfiles().catch((error) => showError(error));
}

function askForKey(message = null) {
  const formBox = $("key-form");
  formBox.hidden = false;
  formBox.querySelector(".hint").textContent = message || t("key.hint");
  $("key-input").focus();
}

// A 401 asks for the key: "refused" when one was sent. Behind a reverse proxy that signs
// users in and adds the key to their requests, no 401 comes and the page never asks.
function wireKey() {
  whenUnauthorized(() => {
    const sent = key.get();
    key.clear();
    askForKey(sent ? t("key.invalid") : null);
  });
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key.set($("key-input").value.trim());
    $("key-input").value = "";
    unlocked();
  });
}

async function main() {
  translatePage();
  if (matchMedia("(max-width: 760px)").matches) $("options").open = false;
  config = await getJson("/web/config.json");
  $("speakers-option").hidden = !config.diarize;
  wireKey();
  wireUploads();
  $("record").addEventListener("click", toggleRecording);
  jobs.configure({ open: openJob, error: (e) => showError(e), ended: jobEnded });
  health();
  setInterval(health, 5000);
  unlocked();
  document.body.dataset.ready = "true";
}

main().catch((error) => showError(error));
