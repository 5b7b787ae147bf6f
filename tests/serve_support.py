"""``stt-engine serve`` in a subprocess, as an operator runs it: its own process, real signals.

::

    with ServeProcess(tmp_path, STT_ENGINE_DRAIN_SECONDS="60") as served:
        httpx.get(served.url + "/health")
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(65) == -signal.SIGTERM

Its standard error goes to ``log`` (read it with ``log_text``); the data dir is ``base/data``
unless the environment names another, so a second start on the same base finds the jobs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

API_KEY = "serve-test-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """A started, ready ``stt-engine serve`` on 127.0.0.1 with one API key, on the CPU."""

    def __init__(self, base: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = base / f"serve-{self.port}.log"
        self.env = dict(os.environ, STT_ENGINE_DEVICE="cpu", STT_ENGINE_API_KEYS=API_KEY)
        self.env.update(
            STT_ENGINE_DATA_DIR=str(base / "data"),
            STT_ENGINE_CACHE_DIR=str(base / "cache"),
            STT_ENGINE_MODELS_DIR=str(base / "models"),
            STT_ENGINE_UPLOAD_DIR=str(base / "uploads"),
            STT_ENGINE_MODEL_TTL_SECONDS="0",
        )
        self.env.update(env)
        self.headers = {"Authorization": f"Bearer {API_KEY}"}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServeProcess:
        command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)], env=self.env, stdout=log, stderr=log
            )
        self.wait_ready()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    @property
    def running(self) -> subprocess.Popen[bytes]:
        assert self.process is not None
        return self.process

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.running.poll() is None, self.log_text()
            assert time.monotonic() < deadline, f"not ready in {timeout} s: {self.log_text()}"
            try:
                if httpx.get(self.url + "/health/ready", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 120.0) -> None:
        """Block until ``text`` appears in the server's log."""
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            assert time.monotonic() < deadline, f"no {text!r} in {timeout} s: {self.log_text()}"
            time.sleep(0.05)

    def busy(self) -> int:
        """Requests running or queued now (from /metrics)."""
        text = httpx.get(self.url + "/metrics", headers=self.headers, timeout=10).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith(("stt_workers_busy ", "stt_queue_depth ")):
                total += float(line.split()[1])
        return int(total)
