// Error banners: one per problem, dismissable, announced to screen readers. A server error
// shows as a sentence in the page's language, chosen by its code; the server's own words
// stay under "Details" for whoever looks after the server.
import { has, t } from "./i18n.js";

const area = document.getElementById("banners");

export function banner(message, kind = "error", detail = null) {
  const box = document.createElement("div");
  box.className = `banner ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  const body = document.createElement("div");
  const text = document.createElement("p");
  text.textContent = message;
  body.append(text);
  if (detail) {
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = t("error.details");
    const words = document.createElement("p");
    words.textContent = detail;
    more.append(summary, words);
    body.append(more);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", t("banner.close"));
  close.textContent = "×";
  close.addEventListener("click", () => box.remove());
  box.append(body, close);
  area.append(box);
  return box;
}

// The sentence for an error code; codes of one family share one sentence.
function sentence(code, status) {
  if (status === 0 || code === "network") return t("error.network");
  if (code && has(`code.${code}`)) return t(`code.${code}`);
  if (status === 429) return t("code.queue_full");
  if (code && (code.startsWith("model_") || code === "not_a_whisper_model")) return t("code.model_error");
  if (status === 400 || status === 422 || (code && code.startsWith("invalid_"))) return t("code.request");
  if (status >= 500) return t("code.internal_error");
  return t("code.unknown");
}

// The server's words without the file name it starts with (the sentence names the file).
function serverWords(message, name) {
  if (!message) return null;
  return name && message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

// An ApiError, or an error object from the realtime socket or a job ({code, message}).
export function describe(error, name = null) {
  const status = error.status ?? null;
  let text = sentence(error.code, status);
  if (status === 429 || error.retryAfter) text += ` ${t("error.retry", { seconds: error.retryAfter ?? "?" })}`;
  const detail = status === 0 ? null : serverWords(error.message, name);
  return { text: name ? t("error.file", { name, message: text }) : text, detail };
}

export function showError(error, name = null) {
  const { text, detail } = describe(error, name);
  return banner(text, "error", detail);
}
