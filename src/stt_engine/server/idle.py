"""The server's heap handed back when it goes quiet.

Between bursts of work the C heap keeps the pages its threads freed, ready for the next burst:
decoded audio, feature arrays, model outputs, a diarization's large arrays. Over days the
resident size then tells how busy the server once was, not what it holds. Once nothing has
run for ``heap_trim_idle_seconds`` (no HTTP request or live session open, no request queued
or running, no chunk in the batcher), the server collects garbage and hands those pages back
once (``heap.trim``); the next request faults in what it needs again. Python frees objects
caught in reference cycles (a closed session's tasks, an exception's traceback) only when a
full collection runs, which a server may go long without; collecting first lets their memory
go back too. Both run at most once per quiet spell; the DEBUG log gives the time taken.

``Activity`` counts what the app has open: ``ActivityMiddleware`` wraps every HTTP request
and WebSocket connection but health checks and metrics scrapes (a scrape every 15 s must not
make every quiet spell a new one). Jobs run outside the app's requests; their chunks keep the
batcher busy while they run.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import anyio

from stt_engine import heap
from stt_engine.server.request_log import PROBES

if TYPE_CHECKING:
    from stt_engine.server.state import ServerState

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[..., Awaitable[None]]


class Activity:
    """What the app has open, and since when nothing has been (changed on the event loop)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.open = 0
        self.started = 0  # connections and requests begun, ever: a quiet spell's identity
        self._quiet_since = clock()

    def enter(self) -> None:
        self.open += 1
        self.started += 1

    def leave(self) -> None:
        self.open -= 1
        if self.open == 0:
            self._quiet_since = self._clock()

    def quiet_for(self) -> float:
        """Seconds since the last request or connection ended; 0 while one is open."""
        return 0.0 if self.open else self._clock() - self._quiet_since


class ActivityMiddleware:
    """Counts every HTTP request and WebSocket connection while it runs (pure ASGI)."""

    def __init__(self, app: ASGIApp, activity: Activity) -> None:
        self.app = app
        self.activity = activity

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in PROBES:
            await self.app(scope, receive, send)
            return
        self.activity.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.leave()


def engine_idle(state: ServerState) -> bool:
    """No request queued or running in the scheduler and no chunk in the batcher."""
    stats = state.scheduler.stats()
    batch = state.engine.batch_stats()
    return stats.running == 0 and stats.queued == 0 and (batch is None or batch.owners == 0)


class IdleTrimmer:
    """Decides when a quiet spell has lasted long enough to trim, once per spell."""

    def __init__(self, activity: Activity, idle_seconds: float) -> None:
        self.activity = activity
        self.idle_seconds = idle_seconds
        self._trimmed_after = -1  # ``activity.started`` when the last trim ran

    def due(self, engine_idle: bool) -> bool:
        return (
            engine_idle
            and self.activity.started != self._trimmed_after
            and self.activity.quiet_for() >= self.idle_seconds
        )

    def done(self) -> None:
        self._trimmed_after = self.activity.started


def _collect_and_trim() -> None:
    gc.collect()
    heap.trim()


async def trim_when_idle(state: ServerState) -> None:
    """The lifespan's task: trim the heap once per quiet spell (never with the setting 0)."""
    idle_seconds = state.settings.heap_trim_idle_seconds
    if idle_seconds <= 0:
        return
    trimmer = IdleTrimmer(state.activity, idle_seconds)
    interval = min(max(idle_seconds / 4, 0.05), 5.0)
    while True:
        await asyncio.sleep(interval)
        if not trimmer.due(engine_idle(state)):
            continue
        before = heap.in_use()
        started = time.perf_counter()
        await anyio.to_thread.run_sync(_collect_and_trim)
        trimmer.done()
        state.metrics.heap_trims.inc()
        log.debug(
            "idle: garbage collected and heap trimmed in %.1f ms (%s bytes in use)",
            (time.perf_counter() - started) * 1000,
            before,
        )
