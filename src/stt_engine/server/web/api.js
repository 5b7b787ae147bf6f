// Calls to the server's API: the key (kept in this tab only) and errors in one shape.
const KEY_NAME = "stt-engine.key";

export class ApiError extends Error {
  constructor(status, message, code = null, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export const key = {
  get: () => sessionStorage.getItem(KEY_NAME) || "",
  set: (value) => sessionStorage.setItem(KEY_NAME, value),
  clear: () => sessionStorage.removeItem(KEY_NAME),
};

let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  let code = null;
  try {
    const body = await response.json();
    if (body && body.error) {
      message = body.error.message || message;
      code = body.error.code || null;
    }
  } catch {
    // not JSON: keep the status line
  }
  const retry = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, message, code, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export async function request(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = key.get();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (exc) {
    throw new ApiError(0, exc.message || "network error", "network");
  }
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

// A short-lived client secret for a realtime session with this configuration: the API key
// (when the page holds one) is sent only here, over HTTP, never on the socket.
export async function clientSecret(session) {
  const response = await request("/v1/realtime/client_secrets", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ session }),
  });
  return (await response.json()).value;
}

// The realtime socket, opened with a client secret (browsers cannot set headers: it travels
// in the subprotocol list, as OpenAI's browser clients send it).
export function realtimeSocket(secret) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const protocols = ["realtime"];
  if (secret) protocols.push(`openai-insecure-api-key.${secret}`);
  return new WebSocket(`${scheme}//${location.host}/v1/realtime?intent=transcription`, protocols);
}
