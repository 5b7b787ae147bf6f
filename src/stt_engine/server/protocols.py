"""uvicorn's HTTP and WebSocket protocols with the limits a long-running server needs.

uvicorn closes idle keep-alive connections but has no limit on how long a request's headers
or body may take, so a client sending a byte now and then (slowloris) holds a connection and
its upload forever. :class:`LimitedHttpProtocol` (uvicorn's httptools protocol) adds them:

- the request line and headers must arrive within ``header_timeout`` seconds of the
  request's first byte (of the connection opening, for its first request);
- the body may take ``body_timeout`` seconds plus one second for every ``body_min_rate``
  bytes received (time the server itself stopped reading does not count).

A request over either limit is answered 408 in OpenAI's error shape (unless a response has
started) and its connection is closed; the application sees the client disconnect.

:class:`LimitedWebSocketProtocol` (uvicorn's websockets-sansio protocol, which pings every
``ws_ping_interval`` and closes with 1011 when a pong is ``ws_ping_timeout`` late) aborts a
connection whose peer reads nothing, where uvicorn would wait forever for its buffer to drain:
one second after a ping timed out or after the application returned without a close frame,
``close_timeout`` seconds after one.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from stt_engine.config import Settings

_KEEP_ALIVE_SECONDS = 30
_ABORT_GRACE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class HttpLimits:
    header_timeout: float = 20.0
    body_timeout: float = 20.0
    body_min_rate: int = 500  # bytes per second


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run``/``uvicorn.Config`` that set these limits."""
    limits = HttpLimits(
        settings.http_header_timeout_seconds,
        settings.http_body_timeout_seconds,
        settings.http_body_min_rate,
    )
    http = type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})
    return {
        "http": http,
        "ws": LimitedWebSocketProtocol,
        "ws_ping_interval": settings.realtime_ping_interval_seconds or None,
        "ws_ping_timeout": settings.realtime_ping_timeout_seconds,
        "timeout_keep_alive": _KEEP_ALIVE_SECONDS,
    }


class LimitedHttpProtocol(HttpToolsProtocol):
    """httptools' HTTP/1.1 with a deadline on each request's head and a minimum body rate."""

    limits: ClassVar[HttpLimits] = HttpLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._timer: asyncio.TimerHandle | None = None
        self._body_from = 0.0
        self._body_bytes = 0
        super().connection_made(transport)
        self._arm(self.limits.header_timeout, self._head_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._timer is None:
            self._arm(self.limits.header_timeout, self._head_late)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        if not (self.parser.should_upgrade() and self._should_upgrade()):
            self._body_from, self._body_bytes = self.loop.time(), 0
            self._arm(self.limits.body_timeout, self._body_check)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _arm(self, delay: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_late(self) -> None:
        self._timer = None
        seconds = self.limits.header_timeout
        cycle = self.cycle  # the previous request's, if any
        idle = cycle is None or cycle.response_complete
        self._time_out(f"the request's headers did not arrive within {seconds:g} s", idle)

    def _body_check(self) -> None:
        self._timer = None
        now = self.loop.time()
        if self.flow.read_paused:  # the server is behind, not the client: start again
            self._body_from, self._body_bytes = now, 0
        limits = self.limits
        deadline = self._body_from + limits.body_timeout + self._body_bytes / limits.body_min_rate
        if now < deadline:
            self._timer = self.loop.call_later(deadline - now, self._body_check)
            return
        message = (
            f"the request body came too slowly: {self._body_bytes} bytes in "
            f"{now - self._body_from:.0f} s (at least {limits.body_min_rate} bytes/s after "
            f"the first {limits.body_timeout:g} s)"
        )
        self._time_out(message, answer=not self.cycle.response_started)

    def _time_out(self, message: str, answer: bool) -> None:
        """Answer 408 (``answer``: no response has started), then close the connection."""
        if self.transport.is_closing():
            return
        self.logger.info("closing a slow request from %s: %s", self.client, message)
        cycle = self.cycle
        if answer:
            self.transport.write(_timeout_response(message))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()


def _timeout_response(message: str) -> bytes:
    error = {"message": message, "type": "invalid_request_error", "param": None}
    body = json.dumps({"error": {**error, "code": "request_timeout"}}).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class LimitedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol that aborts a connection whose peer stopped reading."""

    _abort_timer: asyncio.TimerHandle | None = None

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        self._abort_later(_ABORT_GRACE_SECONDS)

    async def run_asgi(self) -> None:
        await super().run_asgi()
        grace = _ABORT_GRACE_SECONDS
        self._abort_later(self.close_timeout + grace if self.close_timer is not None else grace)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._abort_timer is not None:  # the timer would keep this protocol alive
            self._abort_timer.cancel()
            self._abort_timer = None
        super().connection_lost(exc)

    def _abort_later(self, delay: float) -> None:
        if not self.disconnected and self._abort_timer is None:
            self._abort_timer = self.loop.call_later(delay, self._abort)

    def _abort(self) -> None:
        self._abort_timer = None
        if not self.disconnected:
            self.transport.abort()
