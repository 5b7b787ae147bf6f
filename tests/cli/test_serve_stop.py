"""``stt-engine serve`` stops gracefully on SIGTERM: a real server process, real signals.

Requests in flight are answered, new connections are refused, the process ends as killed by
the signal (uvicorn raises it again after the drain: -15 here, 143 in a shell) within
``drain_seconds`` + 5 s, and a second signal ends it at once. Live sessions and jobs:
test_serve_stop_sessions.py.
"""

from __future__ import annotations

import json
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from serve_support import ServeProcess
from speech_corpus import AUDIO

pytestmark = [pytest.mark.slow, pytest.mark.corpus]
JFK = AUDIO / "en/whisper_jfk.flac"
LONG_EN = AUDIO / "en/derived/long_en_read_mix.flac"
DRAIN = 120.0  # generous: three requests on a loaded 2-core box finish well within it


def _transcribe(served: ServeProcess, path: Path, model: str = "tiny.en") -> httpx.Response:
    with path.open("rb") as audio:
        return httpx.post(
            f"{served.url}/v1/audio/transcriptions",
            files={"file": audio},
            data={"model": model},
            headers={**served.headers, "X-Request-Id": f"stop-test-{time.monotonic_ns()}"},
            timeout=600,
        )


def _wait_busy(served: ServeProcess, count: int) -> None:
    deadline = time.monotonic() + 120
    while served.busy() < count:
        assert time.monotonic() < deadline, served.log_text()
        time.sleep(0.05)


def test_sigterm_answers_the_requests_in_flight_and_logs_each(tmp_path: Path) -> None:
    env = {"STT_ENGINE_DRAIN_SECONDS": str(DRAIN), "STT_ENGINE_LOG_FORMAT": "json"}
    with ServeProcess(tmp_path, STT_ENGINE_WORKERS="3", **env) as served:
        with ThreadPoolExecutor(3) as pool:
            answers = [pool.submit(_transcribe, served, JFK) for _ in range(3)]
            _wait_busy(served, 3)
            served.running.send_signal(signal.SIGTERM)
            served.wait_for_log("SIGTERM: stopping")
            served.wait_for_log("no longer accepting connections")  # the next loop tick
            with pytest.raises(httpx.TransportError):  # the listening socket is closed
                httpx.get(served.url + "/health", timeout=10)
            replies = [answer.result() for answer in answers]
        assert served.running.wait(DRAIN + 5) == -signal.SIGTERM
    for reply in replies:
        assert reply.status_code == 200, reply.text
        assert "ask not what your country" in reply.json()["text"].lower()
        assert reply.headers["x-request-id"].startswith("stop-test-")
    lines = [json.loads(line) for line in served.log_text().splitlines() if line.startswith("{")]
    logged = {line["request_id"]: line for line in lines if line.get("route")}
    for reply in replies:
        line = logged[reply.headers["x-request-id"]]
        assert line["route"] == "/v1/audio/transcriptions" and line["status"] == 200
        assert line["audio_seconds"] == pytest.approx(11.0, abs=0.1)
        assert line["rtf"] > 0 and line["queue_wait_seconds"] >= 0
        assert line["logger"] == "stt_engine.requests" and line["level"] == "INFO"


def test_the_drain_time_bounds_the_stop(tmp_path: Path) -> None:
    """A request longer than the drain is cut; the process still ends within drain + 5 s."""
    drain = 2.0
    served = ServeProcess(tmp_path, STT_ENGINE_DRAIN_SECONDS=str(drain))
    with served, ThreadPoolExecutor(1) as pool:
        answer = pool.submit(_transcribe, served, LONG_EN, "base")
        _wait_busy(served, 1)
        served.running.send_signal(signal.SIGTERM)
        assert served.running.wait(drain + 5) == -signal.SIGTERM
        try:
            reply = answer.result()
        except httpx.TransportError:
            reply = None  # cut with the connection: the client sees it and may retry
    assert reply is None or reply.status_code >= 500  # or answered with the error that cut it
    assert "route=/v1/audio/transcriptions status=500" in served.log_text()  # logged as cut


def test_a_second_signal_stops_at_once(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, STT_ENGINE_DRAIN_SECONDS="600") as served:
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(_transcribe, served, LONG_EN, "base")
            _wait_busy(served, 1)
            served.running.send_signal(signal.SIGINT)
            served.wait_for_log("SIGINT: stopping")
            served.running.send_signal(signal.SIGTERM)
            # far sooner than the long request or the 600 s drain would take
            assert served.running.wait(30) == -signal.SIGTERM
            with pytest.raises(httpx.TransportError):
                answer.result()
        assert "second SIGTERM: stopping now" in served.log_text()
