"""One log line per HTTP request, and the request's id.

Every request gets an id: the client's ``X-Request-Id`` when it is sane (1 to 128 letters,
digits or ``-_.:``), else a new ``req_`` and 32 hex digits. The id comes back in the
``X-Request-Id`` header of every response (the ``openai`` client's ``exc.request_id``) and
as ``request_id`` beside the ``error`` object of every JSON error body, so that object keeps
exactly OpenAI's four fields. A live session's id is in the header of its accept.

When the response has been sent (a live session has closed), the ``stt_engine.requests``
logger writes one line: the id, method, route template, status and seconds, and for a
transcription its audio seconds, real-time factor and the seconds it waited in the queue (a
live session: its audio seconds and the code the server closed it with). Health checks and
metrics scrapes are logged at DEBUG. See logs.py for the text and JSON forms.

While the server is stopping (state.stopping), a request that still reaches it on an open
connection is answered 503 with ``Retry-After`` at once.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from stt_engine.errors import ShuttingDownError, SttError
from stt_engine.server.error_handlers import error_response

log = logging.getLogger("stt_engine.requests")

HEADER = "X-Request-Id"
PROBES = frozenset({"/health", "/health/ready", "/ready", "/metrics"})  # logged at DEBUG
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MAX_ERROR_BODY = 256 * 1024  # larger error bodies pass through without the id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class RequestFigures:
    """What a transcription adds to its request's line (set from the worker thread)."""

    audio_seconds: float | None = None
    processing_seconds: float | None = None
    queue_wait_seconds: float | None = None
    close_code: int | None = None  # a live session's, as the server closed it

    def add_audio(self, seconds: float) -> None:
        """A live session's audio, as it arrives."""
        self.audio_seconds = (self.audio_seconds or 0.0) + seconds

    def fields(self) -> dict[str, float]:
        found: dict[str, float] = {}
        if self.close_code is not None:
            found["close_code"] = self.close_code
        if self.audio_seconds is not None:
            found["audio_seconds"] = round(self.audio_seconds, 3)
            if self.processing_seconds is not None and self.audio_seconds > 0:
                found["rtf"] = round(self.processing_seconds / self.audio_seconds, 4)
        if self.queue_wait_seconds is not None:
            found["queue_wait_seconds"] = round(self.queue_wait_seconds, 3)
        return found


_FIGURES: contextvars.ContextVar[RequestFigures | None] = contextvars.ContextVar(
    "stt_request_figures", default=None
)


def current_figures() -> RequestFigures:
    """The figures of the request being handled (a throwaway one outside a request)."""
    return _FIGURES.get() or RequestFigures()


def request_id(offered: str | None) -> str:
    """The client's id when it is sane, else a new one."""
    if offered and _SANE_ID.fullmatch(offered):
        return offered
    return f"req_{uuid.uuid4().hex}"


class RequestLogMiddleware:
    """Pure ASGI middleware (it does not buffer streamed responses, only small JSON errors)."""

    def __init__(self, app: ASGIApp, stopping: Callable[[], bool]):
        self.app = app
        self.stopping = stopping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = request_id(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = rid
        figures = RequestFigures()
        token = _FIGURES.set(figures)
        started = time.perf_counter()
        status = 500  # unless it is answered: cut when the drain time is over
        try:
            if scope["type"] == "websocket":
                status = await self._websocket(scope, receive, send, rid, figures)
            else:
                status = await self._http(scope, receive, send, rid)
        finally:
            _FIGURES.reset(token)
            _log_line(scope, rid, status, time.perf_counter() - started, figures)

    async def _websocket(
        self, scope: Scope, receive: Receive, send: Send, rid: str, figures: RequestFigures
    ) -> int:
        """Serve one live session; 101 once accepted (its close code goes in the figures)."""
        session = _Session(send, rid)
        try:
            await self.app(scope, receive, session.send)
        finally:
            figures.close_code = session.close_code
        return 101 if session.accepted else 403

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> int:
        """Serve one HTTP request; its status (500 when it was cut)."""
        reply = _Reply(send, rid)
        try:
            if self.stopping():
                await _refuse_stopping(reply)
            else:
                await self.app(scope, receive, reply.send)
        except Exception as exc:
            if reply.status is not None:
                raise  # the response had begun: the server closes the connection
            log.error("request %s: unhandled error", rid, exc_info=exc)
            await _send_response(reply, error_response(SttError(f"internal error: {exc!r}")))
        return reply.status or 500


async def _refuse_stopping(reply: _Reply) -> None:
    error = ShuttingDownError(
        "the server is shutting down", hint="retry after the Retry-After seconds"
    )
    response = error_response(error)
    response.headers["Connection"] = "close"
    await _send_response(reply, response)


async def _send_response(reply: _Reply, response: Any) -> None:
    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response({"type": "http"}, nothing, reply.send)


def _log_line(scope: Scope, rid: str, status: int, seconds: float, figures: RequestFigures) -> None:
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    fields: dict[str, object] = {
        "request_id": rid,
        "method": scope.get("method", "WEBSOCKET"),
        "route": route,
        "status": status,
        "seconds": round(seconds, 3),
        **figures.fields(),
    }
    level = logging.DEBUG if route in PROBES and status < 500 else logging.INFO
    text = " ".join(f"{key}={value}" for key, value in fields.items())
    log.log(level, text, extra={"fields": fields})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class _Reply:
    """The response on its way out: adds the id header, and the id to a JSON error body."""

    def __init__(self, send: Send, rid: str):
        self._send = send
        self._rid = rid
        self.status: int | None = None
        self._held: Message | None = None  # an error's start, until its body is whole
        self._body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            headers = [
                (k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"
            ]
            message = {**message, "headers": [*headers, (b"x-request-id", self._rid.encode())]}
            if self.status >= 400 and _is_json(headers):
                self._held = message
                return
        elif message["type"] == "http.response.body" and self._held is not None:
            self._body += message.get("body", b"")
            if message.get("more_body", False) and len(self._body) <= _MAX_ERROR_BODY:
                return
            await self._release(more=bool(message.get("more_body", False)))
            return
        await self._send(message)

    async def _release(self, more: bool) -> None:
        start, self._held = self._held, None
        assert start is not None
        body = self._body if more else _with_id(self._body, self._rid)
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        if not more:
            headers.append((b"content-length", str(len(body)).encode()))
        await self._send({**start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body, "more_body": more})


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        k.lower() == b"content-type" and v.lower().startswith(b"application/json")
        for k, v in headers
    )


def _with_id(body: bytes, rid: str) -> bytes:
    """The error body with ``request_id`` beside its ``error`` object (others unchanged)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or not isinstance(parsed.get("error"), dict):
        return body
    parsed["request_id"] = rid
    return json.dumps(parsed, ensure_ascii=False).encode()


class _Session:
    """A live session's messages on their way out: the id header on its accept, the code it
    is closed with."""

    def __init__(self, send: Send, rid: str):
        self._send = send
        self._rid = rid
        self.accepted = False
        self.close_code: int | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "websocket.accept":
            self.accepted = True
            headers = [*message.get("headers", ()), (b"x-request-id", self._rid.encode())]
            message = {**message, "headers": headers}
        elif message["type"] == "websocket.close":
            self.close_code = int(message.get("code", 1000))
        await self._send(message)
