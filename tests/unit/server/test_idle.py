"""When the server hands its heap back: once per quiet spell, after the idle time, never while
anything runs."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from stt_engine.server.idle import Activity, ActivityMiddleware, IdleTrimmer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_quiet_spell_is_trimmed_once_after_the_idle_time() -> None:
    clock = Clock()
    activity = Activity(clock)
    trimmer = IdleTrimmer(activity, idle_seconds=10)
    activity.enter()
    clock.now += 60
    assert not trimmer.due(engine_idle=True)  # a request is open
    activity.leave()
    clock.now += 9.9
    assert not trimmer.due(engine_idle=True)  # not quiet long enough
    clock.now += 0.2
    assert trimmer.due(engine_idle=True)
    trimmer.done()
    clock.now += 600
    assert not trimmer.due(engine_idle=True)  # the same spell: nothing new to hand back
    activity.enter()
    activity.leave()
    clock.now += 10
    assert trimmer.due(engine_idle=True)  # a new spell after new work


def test_a_busy_engine_defers_the_trim() -> None:
    clock = Clock()
    activity = Activity(clock)
    trimmer = IdleTrimmer(activity, idle_seconds=1)
    clock.now += 5
    assert not trimmer.due(engine_idle=False)  # a job's chunks are decoding
    assert trimmer.due(engine_idle=True)  # start-up's free pages count too


def test_the_quiet_spell_starts_when_the_last_open_request_ends() -> None:
    clock = Clock()
    activity = Activity(clock)
    activity.enter()
    activity.enter()
    clock.now += 5
    activity.leave()
    clock.now += 5
    assert activity.quiet_for() == 0.0  # one still open
    activity.leave()
    clock.now += 3
    assert activity.quiet_for() == 3.0


def test_the_middleware_counts_requests_and_sockets_even_when_they_fail_but_not_probes() -> None:
    activity = Activity()
    seen: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(activity.open)
        if scope["type"] == "websocket":
            raise RuntimeError("the peer went away")

    middleware = ActivityMiddleware(app, activity)

    async def run() -> None:
        await middleware({"type": "http"}, None, None)
        with contextlib.suppress(RuntimeError):
            await middleware({"type": "websocket"}, None, None)
        await middleware({"type": "lifespan"}, None, None)
        await middleware({"type": "http", "path": "/metrics"}, None, None)

    asyncio.run(run())
    assert seen == [1, 1, 0, 0]  # neither the lifespan nor a scrape is work
    assert (activity.open, activity.started) == (0, 2)
