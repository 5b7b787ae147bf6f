// Uploads: short files go through /v1/audio/transcriptions (or translations) and show at once;
// files longer than the server's web_job_seconds become background jobs.
import { request } from "./api.js";
import { t } from "./i18n.js";
import { fromVerbose } from "./transcript.js";

function probeDuration(file) {
  return new Promise((resolve) => {
    const audio = document.createElement("audio");
    const url = URL.createObjectURL(file);
    const done = (value) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(Number.isFinite(value) ? value : null);
    };
    const timer = setTimeout(() => done(null), 4000);
    audio.preload = "metadata";
    audio.onloadedmetadata = () => done(audio.duration);
    audio.onerror = () => done(null);
    audio.src = url;
  });
}

function form(file, options, extra) {
  const data = new FormData();
  data.append("file", file, file.name);
  if (options.model) data.append("model", options.model);
  if (options.language) data.append("language", options.language);
  data.append("word_timestamps", String(options.words));
  data.append("vad_filter", String(options.vad));
  if (options.speakers) data.append("diarize", "true");
  // saved voice profiles by name: their speakers come back named
  if (options.speakers) for (const name of options.profiles) data.append("known_speaker_names[]", name);
  for (const [name, value] of Object.entries(extra)) data.append(name, value);
  return data;
}

export async function becomesJob(file, config) {
  if (!config.jobs_enabled) return false;
  if (config.job_seconds <= 0) return true;
  const seconds = await probeDuration(file);
  if (seconds == null) return file.size > config.job_seconds * 32000; // about 256 kbit/s
  return seconds > config.job_seconds;
}

export function tooLarge(file, config) {
  return file.size > config.max_upload_bytes
    ? t("error.too_large", { name: file.name, limit: Math.round(config.max_upload_bytes / 1048576) })
    : null;
}

export async function transcribe(file, options) {
  const path = options.task === "translate" ? "/v1/audio/translations" : "/v1/audio/transcriptions";
  const extra = { response_format: "verbose_json", "timestamp_granularities[]": "segment" };
  const data = form(file, options, extra);
  if (options.words) data.append("timestamp_granularities[]", "word");
  const response = await request(path, { method: "POST", body: data });
  return fromVerbose(file.name, await response.json(), URL.createObjectURL(file));
}

export async function submitJob(file, options) {
  const data = form(file, options, { task: options.task });
  const response = await request("/v1/jobs", { method: "POST", body: data });
  return response.json();
}
