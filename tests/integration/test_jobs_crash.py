"""Jobs survive ``kill -9`` of the server: all finish, each completes exactly once, same text.

The server runs as a real process (``python -m stt_engine.cli serve``). Ten jobs of real
speech are submitted; the process is killed with SIGKILL while a job runs; a new process on
the same data directory finishes them. The store counts runs and completions per job.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from test_jobs_helpers import AUDIO, KO_CLIPS

from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

CLIPS = [(clip, "ko") for clip in KO_CLIPS[:7]] + [
    (AUDIO / "en/ljspeech" / f"LJ001-000{n}.flac", "en") for n in (4, 5, 6)
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(self, settings: Settings, data_dir: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "STT_ENGINE_DATA_DIR": str(data_dir),
            "STT_ENGINE_MODELS_DIR": str(settings.models_dir),
            "STT_ENGINE_CACHE_DIR": str(settings.cache_dir),
            "STT_ENGINE_DEVICE": "cpu",
            "STT_ENGINE_JOB_WORKERS": "1",
            "STT_ENGINE_MODEL_TTL_SECONDS": "0",
        }
        command = [sys.executable, "-m", "stt_engine.cli", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited"
            try:
                if httpx.get(self.url + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server was not ready in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)


@pytest.fixture()
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def statuses(url: str) -> dict[str, str]:
    page = httpx.get(url + "/v1/jobs", params={"limit": 100}, timeout=10).json()
    return {job["id"]: job["status"] for job in page["data"]}


def test_jobs_survive_kill_9_and_complete_once(
    tmp_path: Path, engine: Engine, engine_settings: Settings, servers: list[ServerProcess]
) -> None:
    expected = {
        clip.name: engine.transcribe_all(engine.decode(clip), TranscribeOptions(language=lang)).text
        for clip, lang in CLIPS
    }
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    first = ServerProcess(engine_settings, data_dir, log)
    servers.append(first)
    first.wait_ready()
    names: dict[str, str] = {}
    for clip, lang in CLIPS:
        with clip.open("rb") as handle:
            response = httpx.post(
                first.url + "/v1/jobs",
                files={"file": (clip.name, handle)},
                data={"language": lang},
                timeout=30,
            )
        assert response.status_code == 202, response.text
        names[response.json()["id"]] = clip.name

    deadline = time.monotonic() + 300
    while True:  # kill while a job runs, after some have finished
        now = statuses(first.url)
        if sum(s == "succeeded" for s in now.values()) >= 2 and "running" in now.values():
            break
        assert time.monotonic() < deadline, now
        time.sleep(0.05)
    first.process.kill()  # SIGKILL: no shutdown code runs
    first.process.wait()
    assert before_restart(data_dir, "running") >= 1

    second = ServerProcess(engine_settings, data_dir, log)
    servers.append(second)
    second.wait_ready()
    deadline = time.monotonic() + 300
    while any(s in ("queued", "running") for s in statuses(second.url).values()):
        assert time.monotonic() < deadline, "jobs did not finish after the restart"
        time.sleep(0.2)
    final = statuses(second.url)
    assert set(final) == set(names) and set(final.values()) == {"succeeded"}, final
    for job_id, name in names.items():
        text = httpx.get(f"{second.url}/v1/jobs/{job_id}/result", params={"format": "text"})
        assert text.text.strip() == expected[name], name
    second.stop()

    counts = run_counts(data_dir)
    assert all(completions == 1 for _, completions in counts.values()), counts
    assert any(runs == 2 for runs, _ in counts.values()), "no job was interrupted and re-run"
    assert all(runs in (1, 2) for runs, _ in counts.values()), counts
    assert list((data_dir / "uploads").iterdir()) == []


def before_restart(data_dir: Path, status: str) -> int:
    with closing(read_only(data_dir)) as db:
        query = "SELECT COUNT(*) FROM jobs WHERE status = ?"
        return int(db.execute(query, (status,)).fetchone()[0])


def run_counts(data_dir: Path) -> dict[str, tuple[int, int]]:
    with closing(read_only(data_dir)) as db:
        rows = db.execute("SELECT id, runs, completions FROM jobs").fetchall()
    return {job_id: (runs, completions) for job_id, runs, completions in rows}


def read_only(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'jobs.sqlite3'}?mode=ro", uri=True)
