"""Live sessions under faults: each fault is ended by a limit, and the server stays healthy.

A client that vanishes mid-turn (ping timeout), one that stops reading while it keeps
sending (bounded outgoing events), one that sends audio faster than it is transcribed
(bounded backlog) and a flood of sessions over the cap, on a live server on 127.0.0.1 with
the limits turned down so each fault shows in seconds. Each fault runs twice; after the
second, /health and a real transcription are answered and the server's memory (this
process's, after a garbage collection) is within 10 MiB of where it was after the first.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from fault_support import AUTH, RawWebSocket, append_event, speech_pcm24k, survives, wait_until
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server.state import ServerState

REALTIME = "/v1/realtime?intent=transcription"


def _closed(state: ServerState, reason: str) -> float:
    value = state.metrics.registry.get_sample_value(
        "stt_realtime_sessions_closed_total", {"reason": reason}
    )
    return value or 0.0


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_client_that_vanishes_mid_turn_is_found_by_ping(base_dir: Path, engine: Engine) -> None:
    overrides = {
        "realtime_ping_interval_seconds": 0.5,
        "realtime_ping_timeout_seconds": 2.0,
        "realtime_idle_timeout_seconds": 600.0,  # the ping, not the idle timeout, finds it
    }

    def fault(server: BackgroundServer, state: ServerState) -> None:
        client = RawWebSocket(server, REALTIME)
        assert client.first_event()["type"] == "session.created"
        pcm = speech_pcm24k(3.0)
        for start in range(0, len(pcm), 4800):  # 100 ms events, mid-sentence at the end
            client.send(append_event(pcm[start : start + 4800]))
        assert state.realtime_sessions == 1
        # from here on the client neither reads, nor answers pings, nor closes
        wait_until(lambda: state.realtime_sessions == 0)
        client.read_until_closed()
        assert client.protocol.close_code == 1011  # keepalive ping timeout
        client.close()

    survives(base_dir, engine, fault, **overrides)


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_client_that_stops_reading_is_closed_with_an_error(
    base_dir: Path, engine: Engine
) -> None:
    overrides = {"realtime_ping_interval_seconds": 0, "realtime_max_pending_events": 16}

    def fault(server: BackgroundServer, state: ServerState) -> None:
        client = RawWebSocket(server, REALTIME, receive_buffer=4096)
        update = {"type": "session.update", "session": {"type": "transcription"}}
        # audio keeps coming, and each update is answered: the socket buffers hold megabytes
        # of events before the server's writes wait and its queue fills
        burst = [append_event(speech_pcm24k(0.1))] + [update] * 10
        closed = _closed(state, "client_not_reading")
        sent = client.send_until(burst, lambda: _closed(state, "client_not_reading") > closed)
        events = client.read_until_closed()  # the client reads again: the end is explained
        assert events[-1]["type"] == "error"
        assert events[-1]["error"]["code"] == "client_not_reading"
        assert client.protocol.close_code == 1008
        assert len(events) < sent  # events beyond the bound were dropped
        client.close()
        del events

    survives(base_dir, engine, fault, **overrides)


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_client_faster_than_transcription_is_closed_beyond_the_backlog(
    base_dir: Path, engine: Engine
) -> None:
    manual = {"type": "session.update", "session": {"type": "transcription", "audio": {
        "input": {"turn_detection": None}}}}  # fmt: skip
    chunk = append_event(speech_pcm24k(5.0))

    async def run(url: str) -> tuple[list[dict[str, object]], int | None]:
        async with connect(url + REALTIME, additional_headers=AUTH) as ws:
            await ws.send(json.dumps(manual))
            for _ in range(12):  # a minute of audio, as fast as the socket takes it
                await ws.send(json.dumps(chunk))
                await ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
            events = []
            with pytest.raises(ConnectionClosed):
                while True:
                    events.append(json.loads(await asyncio.wait_for(ws.recv(), 120)))
            return events, ws.close_code

    overrides = {"realtime_max_backlog_seconds": 8.0}

    def fault(server: BackgroundServer, _state: ServerState) -> None:
        events, code = asyncio.run(run(server.url.replace("http://", "ws://")))
        errors = [e["error"] for e in events if e["type"] == "error"]
        assert [e["code"] for e in errors] == ["audio_backlog_full"]  # type: ignore[index]
        assert code == 1008

    survives(base_dir, engine, fault, **overrides)


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_flood_of_sessions_over_the_cap_is_refused(base_dir: Path, engine: Engine) -> None:
    def _connect(url: str) -> Any:
        # no compression: the test's own 43 zlib contexts would swamp the server's figure
        return connect(url + REALTIME, additional_headers=AUTH, compression=None)

    async def flood(url: str) -> list[tuple[str, int | None]]:
        async def one() -> tuple[str, int | None]:
            async with _connect(url) as ws:
                event = json.loads(await asyncio.wait_for(ws.recv(), 60))
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 60)
                return event["error"]["code"], ws.close_code

        async with _connect(url) as first, _connect(url) as second:
            for held in (first, second):
                assert json.loads(await held.recv())["type"] == "session.created"
            refused = await asyncio.gather(*(one() for _ in range(40)))
        async with _connect(url) as after:
            assert json.loads(await after.recv())["type"] == "session.created"
        return refused

    def fault(server: BackgroundServer, state: ServerState) -> None:
        refused = asyncio.run(flood(server.url.replace("http://", "ws://")))
        assert set(refused) == {("session_limit", 1013)}
        assert _closed(state, "session_limit") == 0  # refused, not counted as closed

    survives(base_dir, engine, fault, realtime_max_sessions=2)


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_burst_of_events_from_a_reading_client_is_no_fault(
    base_dir: Path, engine: Engine
) -> None:
    """Many answers queued at once are written as soon as the writer runs: only a client
    that does not read overflows the queue."""
    update = {"type": "session.update", "session": {"type": "transcription"}}

    def fault(server: BackgroundServer, state: ServerState) -> None:
        client = RawWebSocket(server, REALTIME)
        client.send_many([update] * 200)  # one write: the server reads them all at once
        while len(client.events()) < 201:
            client.read_some()
        kinds = {event["type"] for event in client.events()[1:]}
        assert kinds == {"session.updated"}
        assert _closed(state, "client_not_reading") == 0
        client.close()

    survives(base_dir, engine, fault, realtime_max_pending_events=16)
