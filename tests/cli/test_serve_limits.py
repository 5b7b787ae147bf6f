"""``stt-engine serve`` runs uvicorn with the slow-client limits (its own HTTP protocol).

A real server in a subprocess, its header deadline set to one second through its variable:
a connection that says nothing is answered 408 and closed, and the server goes on answering.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_serve_answers_a_silent_connection_408(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = dict(os.environ, STT_ENGINE_DEVICE="cpu", STT_ENGINE_HTTP_HEADER_TIMEOUT_SECONDS="1")
    env.update(STT_ENGINE_DATA_DIR=str(tmp_path / "data"), STT_ENGINE_CACHE_DIR=str(tmp_path))
    command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not _alive(url):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as silent:
            answer = b""
            while chunk := silent.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), answer[:200]
        assert json.loads(body)["error"]["code"] == "request_timeout"
        assert _alive(url)
    finally:
        process.terminate()
        process.wait(30)


def _alive(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
