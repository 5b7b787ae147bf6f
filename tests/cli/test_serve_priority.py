"""``stt-engine serve`` keeps its event loop ahead: every other thread runs at ``worker_nice``.

A real server in a subprocess (its own process, so this test process keeps its priority),
one real transcription so the model's and the request's threads exist, then each thread's
nice value read from /proc.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stt_engine.server import priority

pytestmark = pytest.mark.skipif(not priority.supported(), reason="per-thread nice is Linux's")
SAMPLE = Path(__file__).parents[2] / "src" / "stt_engine" / "data" / "check_sample.ogg"


def nice_values(pid: int) -> dict[int, int]:
    """tid -> nice of each thread (field 19 of /proc/PID/task/TID/stat)."""
    values = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        values[int(task.name)] = int(fields[16])
    return values


def test_every_thread_but_the_loop_is_lowered(tmp_path: Path, free_port: int) -> None:
    env = dict(os.environ, STT_ENGINE_WORKER_NICE="7", STT_ENGINE_DEVICE="cpu")
    env.update(STT_ENGINE_DATA_DIR=str(tmp_path / "data"), STT_ENGINE_CACHE_DIR=str(tmp_path))
    command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(free_port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{free_port}"
    try:
        deadline = time.monotonic() + 180
        while not _ready(url):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr
            time.sleep(0.2)
        with SAMPLE.open("rb") as audio:
            answer = httpx.post(
                f"{url}/v1/audio/transcriptions", files={"file": audio}, timeout=120
            )
        assert answer.status_code == 200, answer.text
        time.sleep(2.0)  # the threads are looked up every second
        values = nice_values(process.pid)
    finally:
        process.terminate()
        process.wait(30)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    loop = values.pop(process.pid)  # uvicorn runs the loop on the main thread
    assert loop == base
    assert len(values) >= 4 and all(nice >= max(base, 7) for nice in values.values()), values


def _ready(url: str) -> bool:
    try:
        return httpx.get(url + "/health/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
