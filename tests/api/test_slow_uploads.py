"""Slow HTTP clients (slowloris): a request's headers and body have deadlines.

A client that opens a connection and sends nothing, one that trickles its headers and one
that trickles its upload are each answered 408 (OpenAI's error shape) and disconnected, the
upload leaves no file behind, and the server stays healthy with its memory steady (each
fault twice, as in test_session_faults.py).
"""

from __future__ import annotations

import json
import logging
import select
import socket
import time
import uuid
from pathlib import Path

import pytest
from api_support import API_KEY, JFK, upload_files
from fault_support import survives, wait_until

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server.state import ServerState

LIMITS = {
    "http_header_timeout_seconds": 1.0,
    "http_body_timeout_seconds": 1.0,
    "http_body_min_rate": 4000,
}


def _trickle(server: BackgroundServer, first: bytes, drip: bytes) -> bytes:
    """Send ``first``, then ``drip`` every 0.2 s until the server answers; its answer."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(first)
        started = time.monotonic()
        while not select.select([sock], [], [], 0.2)[0]:
            assert time.monotonic() - started < 60, "the server waited forever"
            if drip:
                sock.sendall(drip)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _timed_out(answer: bytes) -> str:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:200]
    error = json.loads(body)["error"]
    assert error["code"] == "request_timeout"
    return str(error["message"])


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_silent_and_slow_headers_are_answered_408(base_dir: Path, engine: Engine) -> None:
    def fault(server: BackgroundServer, _state: ServerState) -> None:
        assert "headers" in _timed_out(_trickle(server, b"", b""))  # connects, says nothing
        start = b"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: localhost\r\n"
        message = _timed_out(_trickle(server, start, b"X-Slow: 1\r\n"))
        assert "did not arrive within 1 s" in message

    survives(base_dir, engine, fault, **LIMITS)


@pytest.mark.slow  # a server of its own; the fault twice, measured
def test_a_slow_upload_is_answered_408_and_leaves_no_file(
    base_dir: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="jfk.flac"\r\n'
            "Content-Type: audio/flac\r\n\r\n"
        ).encode()
        + JFK.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: localhost\r\n"
        f"Authorization: Bearer {API_KEY}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()

    def fault(server: BackgroundServer, _state: ServerState) -> None:
        # 100 bytes (of the file, again and again) every 0.2 s: 500 bytes/s, under the 4000
        # bytes/s asked for
        answer = _trickle(server, head + body[:2000], body[2000:2100])
        assert "came too slowly" in _timed_out(answer)
        wait_until(lambda: not upload_files(base_dir))

    survives(base_dir, engine, fault, **LIMITS)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no "bug" logged
