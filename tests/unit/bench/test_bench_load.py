"""The load tool against a tiny real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from stt_engine.bench.load import (
    LoadPlan,
    Payload,
    describe_servers,
    endpoint,
    payloads,
    run_load,
)
from stt_engine.bench.manifest import Clip
from stt_engine.errors import InvalidRequestError, NotReadyError

CLIP = Payload("a.flac", b"fLaC" + b"\0" * 1000, 2.5, "audio/flac")


def plan(url: str, **kw: object) -> LoadPlan:
    defaults: dict[str, object] = {"urls": (url,), "concurrency": (1, 4), "duration": 0.4}
    defaults.update(kw)
    return LoadPlan(**defaults)  # type: ignore[arg-type]


def test_endpoint_accepts_base_v1_or_full_route() -> None:
    assert endpoint("http://127.0.0.1:8003") == "http://127.0.0.1:8003/v1/audio/transcriptions"
    assert endpoint("http://h:1/v1/") == "http://h:1/v1/audio/transcriptions"
    assert endpoint("http://h:1/v1/audio/transcriptions") == "http://h:1/v1/audio/transcriptions"
    with pytest.raises(InvalidRequestError):
        endpoint("127.0.0.1:8003")


def test_levels_reach_their_concurrency_and_count_audio(tiny_server: Any) -> None:
    run = asyncio.run(run_load(plan(tiny_server.url), [CLIP]))
    one, four = run.levels[tiny_server.url]
    assert (one["concurrency"], four["concurrency"]) == (1, 4)
    assert tiny_server.max_in_flight == 4
    for level in (one, four):
        assert level["errors"] == {} and level["ok"] == level["requests"] > 0
        assert level["audio_seconds"] == pytest.approx(2.5 * level["ok"])
        assert level["throughput_audio_s_per_s"] == pytest.approx(
            level["audio_seconds"] / level["elapsed_seconds"]
        )
        assert 0.04 < level["latency_seconds"]["p50"] < 3.0
    # 4 clients at ~50 ms each serve clearly more than one client does.
    # warm-up, two lone requests and every measured request reached the server
    assert tiny_server.requests == 3 + one["requests"] + four["requests"]
    before, after = run.solo_seconds[tiny_server.url].values()
    assert before is not None and after is not None and 0.04 < before < 3 and 0.04 < after < 3
    assert set(tiny_server.models) == {"whisper-1"}


def test_error_statuses_are_counted_by_code(tiny_server: Any) -> None:
    levels = asyncio.run(run_load(plan(tiny_server.url, model="busy", concurrency=(2,)), [CLIP]))
    (level,) = levels.levels[tiny_server.url]
    assert level["ok"] == 0 and level["errors"] == {"429": level["requests"]}
    assert level["throughput_audio_s_per_s"] == 0 and level["latency_seconds"]["p50"] is None
    levels = asyncio.run(run_load(plan(tiny_server.url, model="plain", concurrency=(1,)), [CLIP]))
    assert set(levels.levels[tiny_server.url][0]["errors"]) == {"bad_response"}


def test_api_key_is_sent_as_bearer(tiny_server: Any) -> None:
    asyncio.run(
        run_load(plan(tiny_server.url, api_key="k1", concurrency=(1,), duration=0.1), [CLIP])
    )
    assert set(tiny_server.authorizations) == {"Bearer k1"}


def test_a_level_stops_by_itself_after_in_flight_requests(tiny_server: Any) -> None:
    start = time.perf_counter()
    slow = plan(tiny_server.url, model="slow", concurrency=(2,), duration=0.2, warmup=False)
    (level,) = asyncio.run(run_load(slow, [CLIP])).levels[tiny_server.url]
    assert time.perf_counter() - start < 3.0
    assert level["requests"] == 2 and level["ok"] == 2


def test_request_timeout_is_counted(tiny_server: Any) -> None:
    slow = plan(
        tiny_server.url, model="slow", concurrency=(1,), duration=0.1, warmup=False, timeout=0.2
    )
    (level,) = asyncio.run(run_load(slow, [CLIP])).levels[tiny_server.url]
    assert level["errors"] == {"timeout": 1} and level["ok"] == 0


def test_unreachable_server_fails_the_warmup_clearly(dead_url: str) -> None:
    url = dead_url
    with pytest.raises(NotReadyError, match="no answer"):
        asyncio.run(run_load(plan(url), [CLIP]))
    (level,) = asyncio.run(
        run_load(plan(url, warmup=False, concurrency=(1,), duration=0.1), [CLIP])
    ).levels[url]
    assert level["ok"] == 0 and set(level["errors"]) == {"connection_error"}


def test_two_urls_are_measured_side_by_side(tiny_server: Any) -> None:
    other = tiny_server.url + "/v1"
    levels = asyncio.run(
        run_load(
            plan(tiny_server.url, urls=(tiny_server.url, other), concurrency=(1, 2), duration=0.2),
            [CLIP],
        )
    )
    assert list(levels.levels) == [tiny_server.url, other]
    assert [lvl["concurrency"] for lvl in levels.levels[other]] == [1, 2]
    assert set(levels.solo_seconds) == {tiny_server.url, other}


def test_payloads_read_clip_bytes(tmp_path: Path) -> None:
    audio = tmp_path / "x.flac"
    audio.write_bytes(b"abc")
    (item,) = payloads([Clip("x.flac", audio, 1.5, "t", "en")])
    assert (item.data, item.duration, item.content_type) == (b"abc", 1.5, "audio/flac")


def test_describe_servers_reads_health_where_there_is_one(tiny_server: Any, dead_url: str) -> None:
    # the tiny server has no /health route (404), the dead URL does not answer
    found = asyncio.run(describe_servers(plan(tiny_server.url, urls=(tiny_server.url, dead_url))))
    assert found == {tiny_server.url: None, dead_url: None}
