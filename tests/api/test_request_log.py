"""Request ids and the per-request log line, on the live server; the 503 while stopping."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import openai
import pytest
from api_support import API_KEY, JFK, make_settings, not_audio
from openai import OpenAI
from websockets.sync.client import connect

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server import create_app

AUTH = {"Authorization": f"Bearer {API_KEY}"}
NEW_ID = re.compile(r"req_[0-9a-f]{32}")


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        dict(r.fields)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "stt_engine.requests"
    ]


def test_every_response_has_a_new_request_id(server: BackgroundServer) -> None:
    first = httpx.get(f"{server.url}/v1/models", headers=AUTH, timeout=30)
    second = httpx.get(f"{server.url}/v1/models", headers=AUTH, timeout=30)
    assert NEW_ID.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("trace-42:a.b_c", True), ("x" * 128, True), ("x" * 129, False), ("a b", False),
     ("<script>", False), ("", False)],
)  # fmt: skip
def test_a_sane_client_id_is_kept_and_others_replaced(
    server: BackgroundServer, sent: str, kept: bool
) -> None:
    answer = httpx.get(f"{server.url}/health", headers={"X-Request-Id": sent}, timeout=30)
    returned = answer.headers["x-request-id"]
    assert returned == sent if kept else NEW_ID.fullmatch(returned)


def test_error_bodies_carry_the_id_beside_openais_error_object(server: BackgroundServer) -> None:
    cases = [
        httpx.post(f"{server.url}/v1/audio/transcriptions", headers=AUTH, timeout=30),  # no file
        httpx.get(f"{server.url}/v1/models", timeout=30),  # no key: 401
        httpx.get(f"{server.url}/v1/no-such-thing", headers=AUTH, timeout=30),  # 404
        httpx.get(f"{server.url}/v1/jobs/job_unknown", headers=AUTH, timeout=30),
    ]
    for answer in cases:
        assert answer.status_code >= 400
        body = answer.json()
        assert set(body) == {"error", "request_id"}
        assert set(body["error"]) == {"message", "type", "param", "code"}
        assert body["request_id"] == answer.headers["x-request-id"]
        assert int(answer.headers["content-length"]) == len(answer.content)


def test_the_openai_client_sees_the_id(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(
            file=("noise.wav", not_audio(20_000), "audio/wav"),
            model="whisper-1",
            extra_headers={"X-Request-Id": "client-chosen-1"},
        )
    assert caught.value.request_id == "client-chosen-1"
    assert caught.value.body["code"] == "invalid_audio"  # type: ignore[index]


def test_one_line_per_request_with_audio_rtf_and_queue_wait(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "stt_engine.requests")
    with JFK.open("rb") as audio:
        answer = httpx.post(
            f"{server.url}/v1/audio/transcriptions",
            files={"file": audio},
            data={"model": "whisper-1"},
            headers={**AUTH, "X-Request-Id": "line-test-1"},
            timeout=120,
        )
    assert answer.status_code == 200
    httpx.get(f"{server.url}/health", headers={"X-Request-Id": "probe-1"}, timeout=30)
    lines = {str(line["request_id"]): line for line in _request_lines(caplog)}
    line = lines["line-test-1"]
    assert line["method"] == "POST" and line["route"] == "/v1/audio/transcriptions"
    assert line["status"] == 200 and float(line["seconds"]) > 0  # type: ignore[arg-type]
    assert line["audio_seconds"] == pytest.approx(11.0, abs=0.1)
    assert float(line["rtf"]) > 0 and float(line["queue_wait_seconds"]) >= 0  # type: ignore[arg-type]
    text = next(r.getMessage() for r in caplog.records if "line-test-1" in r.getMessage())
    assert "route=/v1/audio/transcriptions status=200" in text and " rtf=" in text
    probe = next(r for r in caplog.records if "probe-1" in r.getMessage())
    assert probe.levelno == logging.DEBUG  # health checks do not flood the log
    assert sum(1 for r in caplog.records if "line-test-1" in r.getMessage()) == 1


def test_a_live_session_has_an_id_and_a_line(
    server: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "stt_engine.requests")
    url = server.url.replace("http://", "ws://") + "/v1/audio/stream?sample_rate=16000"
    with connect(url, additional_headers={**AUTH, "X-Request-Id": "live-1"}) as live:
        assert live.response.headers["x-request-id"] == "live-1"
        live.send(b"\x00\x00" * 16000)  # one second of silence
        live.send('{"type": "end"}')
        with pytest.raises(Exception):  # noqa: B017 - the server closes: any close is fine here
            while True:
                live.recv(timeout=60)
    lines = {str(line["request_id"]): line for line in _request_lines(caplog)}
    line = lines["live-1"]
    assert line["route"] == "/v1/audio/stream" and line["status"] == 101
    assert line["close_code"] == 1000 and line["audio_seconds"] == pytest.approx(1.0)


def test_while_stopping_a_request_is_answered_503_with_retry_after(
    base_dir: Path, engine: Engine
) -> None:
    app = create_app(make_settings(base_dir), engine)
    with BackgroundServer(app) as stopping:
        stopping.wait_ready()
        app.state.stt.stopping.set()  # as the first SIGTERM does (nothing waits on it yet)
        answer = httpx.get(f"{stopping.url}/v1/models", headers=AUTH, timeout=30)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5" and answer.headers["connection"] == "close"
    body = answer.json()
    assert body["error"]["code"] == "shutting_down"
    assert body["request_id"] == answer.headers["x-request-id"]
