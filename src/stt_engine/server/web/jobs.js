// The jobs list: status, progress, duration, created; cancel, delete, open the result.
// The list comes from the server, so jobs submitted earlier show again after a reload.
import { getJson, request } from "./api.js";
import { shortClock } from "./formats.js";
import { t } from "./i18n.js";

const body = document.getElementById("jobs-body");
const table = document.getElementById("jobs-table");
const empty = document.getElementById("jobs-empty");
const ACTIVE = new Set(["queued", "running"]);
let timer = null;
let handlers = { open: () => {}, error: () => {}, ended: () => {} };
const seen = new Map();

export function configure(callbacks) {
  handlers = { ...handlers, ...callbacks };
}

function cell(content) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function progress(job) {
  const wrap = document.createElement("div");
  wrap.className = "progress";
  const bar = document.createElement("progress");
  const percent = Math.round((job.status === "succeeded" ? 1 : job.progress.fraction) * 100);
  bar.max = 100;
  bar.value = percent;
  bar.setAttribute("aria-label", `${job.filename} ${percent}%`);
  const label = document.createElement("span");
  label.className = "percent";
  label.textContent = `${percent} %`;
  wrap.append(bar, label);
  return wrap;
}

function action(label, run) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", run);
  return button;
}

function actions(job) {
  const box = document.createElement("div");
  box.className = "actions";
  if (job.status === "succeeded") box.append(action(t("jobs.open"), () => handlers.open(job)));
  const remove = ACTIVE.has(job.status) ? t("jobs.cancel") : t("jobs.delete");
  box.append(action(remove, () => removeJob(job)));
  return box;
}

function jobRow(job) {
  const tr = document.createElement("tr");
  tr.dataset.job = job.id;
  tr.dataset.status = job.status;
  const status = document.createElement("span");
  status.className = `status ${job.status}`;
  status.textContent = t(`status.${job.status}`);
  if (job.error) status.title = job.error.message;
  const total = job.progress.seconds_total;
  const created = new Date(job.created_at * 1000).toLocaleString();
  tr.append(
    cell(job.filename), cell(status), cell(progress(job)),
    cell(total == null ? "–" : shortClock(total)), cell(created), cell(actions(job)),
  );
  return tr;
}

async function removeJob(job) {
  try {
    await request(`/v1/jobs/${encodeURIComponent(job.id)}`, { method: "DELETE" });
  } catch (error) {
    handlers.error(error);
  }
  await refresh();
}

export async function refresh() {
  let jobs;
  try {
    jobs = (await getJson("/v1/jobs?limit=50")).data;
  } catch (error) {
    if (error.status !== 401) handlers.error(error);
    return;
  }
  body.replaceChildren(...jobs.map(jobRow));
  table.hidden = jobs.length === 0;
  empty.hidden = jobs.length > 0;
  for (const job of jobs) {
    const before = seen.get(job.id);
    if (before && ACTIVE.has(before) && !ACTIVE.has(job.status)) handlers.ended(job);
    seen.set(job.id, job.status);
  }
  schedule(jobs.some((job) => ACTIVE.has(job.status)) ? 1000 : 10000);
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(refresh, delay);
}

export function watch(job) {
  seen.set(job.id, job.status);
  refresh();
}

document.getElementById("jobs-refresh").addEventListener("click", refresh);
