"""A server killed with SIGKILL in the middle of an upload leaves nothing after the next start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.timeout(600)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(tmp: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "STT_ENGINE_MODELS_DIR": str(tmp / "models"),
        "STT_ENGINE_DATA_DIR": str(tmp / "data"),
        "STT_ENGINE_UPLOAD_DIR": str(tmp / "uploads"),
        "STT_ENGINE_JOB_WORKERS": "0",
        "STT_ENGINE_DEVICE": "cpu",
    }
    command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _partial_upload(port: int) -> socket.socket:
    """A multipart upload that sends its head and 3 MB of a 10 MB file, then stalls."""
    boundary = "crashboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    length = len(head) + 10_000_000
    request = (
        f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(request + head + b"\x00" * 3_000_000)
    return connection


def test_sigkill_mid_upload_leaves_no_temp_files_after_restart(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    port = _free_port()
    with _server(tmp_path, port) as first:
        connection = _partial_upload(port)
        deadline = time.monotonic() + 30
        while not [p for p in uploads.rglob("upload-*") if p.stat().st_size > 0]:
            assert time.monotonic() < deadline, "the upload never reached the disk"
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        connection.close()
    left = [p for p in uploads.rglob("*") if p.is_file() and p.name != "owner.pid"]
    assert left, "SIGKILL should have left the partial upload behind"
    with _server(tmp_path, _free_port()) as second:
        folders = list(uploads.glob("stt-engine-uploads-*"))
        assert len(folders) == 1
        assert (folders[0] / "owner.pid").read_text() == str(second.pid)
        assert [p for p in uploads.rglob("*") if p.is_file() and p.name != "owner.pid"] == []
