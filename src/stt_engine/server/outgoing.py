"""A live session's server events on their way out: a bounded queue and one writer.

Events are queued without waiting, so a session never stalls on a client's network; one task
writes them in order. A client that stops reading fills the socket's buffers, the writer
waits, and events pile up here: beyond ``limit`` the newer ones are dropped and ``overflowed``
is set, and the route closes the session (its final ``error`` event and close frame are sent
past the bound, each given ``grace`` seconds). After the route returns, the WebSocket protocol
(:mod:`stt_engine.server.protocols`) aborts a connection whose peer still reads nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

_GRACE_SECONDS = 5.0


class Outgoing:
    """The events of one WebSocket, written in order by one task; ``send`` never waits."""

    def __init__(self, websocket: WebSocket, limit: int, grace: float = _GRACE_SECONDS):
        self._websocket = websocket
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._limit = limit
        self._grace = grace
        self._writer: asyncio.Task[None] | None = None
        self.overflowed = False
        self.gone = False  # a write failed: the client is gone

    @property
    def limit(self) -> int:
        return self._limit

    async def send(self, event: dict[str, object]) -> None:
        """Queue one event (dropped once ``limit`` events wait or the client is gone)."""
        if self._queue.qsize() >= self._limit:
            # a burst queued in one turn of the loop: the writer drains it now unless the
            # client's socket is full
            await asyncio.sleep(0)
            if self._queue.qsize() >= self._limit:
                self.overflowed = True
                return
        self._put(event)

    def _put(self, event: dict[str, object]) -> None:
        if self.gone or self._websocket.application_state != WebSocketState.CONNECTED:
            return
        self._queue.put_nowait(json.dumps(event, ensure_ascii=False))
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write())

    async def _write(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self._websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.gone = True
                _empty(self._queue)
            finally:
                self._queue.task_done()

    async def flush(self) -> bool:
        """Wait (``grace`` seconds at most) until every queued event is written."""
        try:
            await asyncio.wait_for(self._queue.join(), self._grace)
        except TimeoutError:
            return False
        return True

    async def close(self, code: int, reason: str, last: dict[str, object] | None = None) -> None:
        """Send ``last`` (past the bound) and the close frame, as far as the client reads."""
        if last is not None:
            self._put(last)
        flushed = await self.flush()
        await self.stop()
        if flushed and self._websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError, TimeoutError):
                await asyncio.wait_for(self._websocket.close(code, reason[:120]), self._grace)

    async def stop(self) -> None:
        """End the writer; events still queued are dropped."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        _empty(self._queue)


def _empty(queue: asyncio.Queue[str]) -> None:
    while not queue.empty():
        queue.get_nowait()
        queue.task_done()
