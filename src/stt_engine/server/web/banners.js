// Error banners: one per problem, dismissable, announced to screen readers.
import { t } from "./i18n.js";

const area = document.getElementById("banners");

export function banner(message, kind = "error") {
  const box = document.createElement("div");
  box.className = `banner ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  const text = document.createElement("span");
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", t("banner.close"));
  close.textContent = "×";
  close.addEventListener("click", () => box.remove());
  box.append(text, close);
  area.append(box);
  return box;
}

export function describe(error, name = null) {
  let message = error.message;
  if (error.status === 429 || error.retryAfter) {
    message = `${message} ${t("error.busy", { seconds: error.retryAfter ?? "?" })}`;
  } else if (error.status === 0) {
    message = t("error.network");
  }
  return name ? t("error.file", { name, message }) : message;
}
