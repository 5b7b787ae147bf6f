"""Busy workers, a full queue, a client that goes away, and a request over its time limit."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from api_support import API_KEY, JFK, LONG_EN, live_server, make_settings, upload_files

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def health(server: BackgroundServer) -> dict:
    return httpx.get(server.url + "/health", timeout=5).json()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def transcribe(server: BackgroundServer, path: Path) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/flac")},
        data={"model": "whisper-1", "response_format": "text"},
        headers=AUTH,
        timeout=300,
    )


def open_raw_request(server: BackgroundServer, path: Path) -> socket.socket:
    """Send a whole transcription request on a raw socket; closing it is a disconnect."""
    request = httpx.Request(
        "POST",
        f"{server.url}/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/flac")},
        data={"model": "whisper-1"},
        headers=AUTH,
    )
    body = request.read()
    head = [f"POST {urlsplit(str(request.url)).path} HTTP/1.1"]
    head += [f"{k}: {v}" for k, v in request.headers.items()]
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    return sock


@pytest.mark.corpus
def test_busy_workers_full_queue_and_disconnect(engine: Engine, base_dir: Path) -> None:
    settings = make_settings(base_dir, workers=1, queue_size=1, max_audio_seconds=3600.0)
    with live_server(settings, Engine(settings)) as server:  # the engine fixes audio limits
        long_request = open_raw_request(server, LONG_EN)  # minutes of work on these CPUs
        wait_until(lambda: health(server)["workers_busy"] == 1, 30, "the long job to run")
        queued: list[httpx.Response] = []
        waiter = threading.Thread(target=lambda: queued.append(transcribe(server, JFK)))
        waiter.start()
        wait_until(lambda: health(server)["queued"] == 1, 30, "the second job to queue")

        for _ in range(5):  # liveness answers while every worker is busy
            started = time.perf_counter()
            assert httpx.get(server.url + "/health", timeout=5).status_code == 200
            assert time.perf_counter() - started < 0.5
        assert "stt_queue_depth 1.0" in httpx.get(server.url + "/metrics").text

        started = time.perf_counter()
        refused = transcribe(server, JFK)
        assert time.perf_counter() - started < 2.0, "a full queue answers at once"
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["code"] == "queue_full"

        long_request.close()  # the client goes away: its worker must come free
        # the long job has minutes of audio left; the queued one starts once it stops
        wait_until(lambda: health(server)["queued"] == 0, 60, "the queued job to start")
        waiter.join(120)
        assert queued and queued[0].status_code == 200
        assert "fellow Americans" in queued[0].text
        wait_until(lambda: health(server)["workers_busy"] == 0, 30, "the workers to idle")
        assert upload_files(base_dir) == []


@pytest.mark.corpus
def test_request_over_its_time_limit_is_504(engine: Engine, base_dir: Path) -> None:
    settings = make_settings(base_dir, timeout_base_seconds=0.05, timeout_per_audio_second=0.001)
    with live_server(settings, engine) as server:
        response = transcribe(server, JFK)
        assert response.status_code == 504
        error = response.json()["error"]
        assert error["code"] == "timeout"
        assert "limit" in error["message"]
        wait_until(lambda: health(server)["workers_busy"] == 0, 30, "the worker to stop")
    assert upload_files(base_dir) == []


@pytest.mark.corpus
def test_closing_an_event_stream_stops_the_work(engine: Engine, base_dir: Path) -> None:
    settings = make_settings(base_dir, workers=1, queue_size=0, max_audio_seconds=3600.0)
    with live_server(settings, Engine(settings)) as server:  # the engine fixes audio limits
        with httpx.stream(
            "POST",
            f"{server.url}/v1/audio/transcriptions",
            files={"file": (LONG_EN.name, LONG_EN.read_bytes(), "audio/flac")},
            data={"model": "whisper-1", "stream": "true"},
            headers=AUTH,
            timeout=120,
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()  # one iterator: a dropped one closes the stream
            first = next(lines)
            assert first.startswith(":") or first.startswith("data:")
            assert health(server)["workers_busy"] == 1
        # minutes of audio left, but the stream is closed: the worker must come free
        wait_until(lambda: health(server)["workers_busy"] == 0, 60, "the worker to stop")
        wait_until(lambda: upload_files(base_dir) == [], 5, "the upload to be removed")
