"""The server's uvicorn options carry the slow-client and WebSocket ping settings."""

from __future__ import annotations

import uvicorn

from stt_engine.config import Settings
from stt_engine.server.protocols import (
    HttpLimits,
    LimitedHttpProtocol,
    LimitedWebSocketProtocol,
    uvicorn_options,
)


def test_the_settings_become_uvicorn_options() -> None:
    settings = Settings(
        http_header_timeout_seconds=7,
        http_body_timeout_seconds=9,
        http_body_min_rate=1234,
        realtime_ping_interval_seconds=5,
        realtime_ping_timeout_seconds=6,
    )
    options = uvicorn_options(settings)
    assert issubclass(options["http"], LimitedHttpProtocol)
    assert options["http"].limits == HttpLimits(7, 9, 1234)
    assert options["ws"] is LimitedWebSocketProtocol
    assert (options["ws_ping_interval"], options["ws_ping_timeout"]) == (5, 6)
    config = uvicorn.Config(lambda: None, **options)  # uvicorn takes them as they are
    assert config.ws_ping_interval == 5


def test_a_zero_ping_interval_turns_pings_off() -> None:
    assert uvicorn_options(Settings(realtime_ping_interval_seconds=0))["ws_ping_interval"] is None


def test_each_server_gets_its_own_limits() -> None:
    first = uvicorn_options(Settings(http_header_timeout_seconds=1))["http"]
    second = uvicorn_options(Settings(http_header_timeout_seconds=2))["http"]
    assert (first.limits.header_timeout, second.limits.header_timeout) == (1, 2)
    assert LimitedHttpProtocol.limits == HttpLimits()
