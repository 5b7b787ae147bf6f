"""A diarized job survives ``kill -9`` of the server: the new process finishes it, with speakers."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from test_jobs_crash import ServerProcess, run_counts, servers, statuses

from stt_engine.config import Settings

pytestmark = pytest.mark.slow
__all__ = ["servers"]  # the fixture, used by name


def _wait_for(url: str, job_id: str, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while (status := statuses(url).get(job_id, "")) not in wanted:
        assert time.monotonic() < deadline, f"job {job_id} stayed {status}"
        time.sleep(0.05)
    return status


def test_diarized_job_survives_kill_9(
    tmp_path: Path, engine_settings: Settings, two_speakers: Path, servers: list[ServerProcess]
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    first = ServerProcess(engine_settings, data_dir, log)
    servers.append(first)
    first.wait_ready()
    with two_speakers.open("rb") as handle:
        response = httpx.post(
            first.url + "/v1/jobs",
            files={"file": (two_speakers.name, handle)},
            data={"language": "en", "diarize": "true", "max_speakers": "3"},
            timeout=30,
        )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert _wait_for(first.url, job_id, {"running", "succeeded"}, 120) == "running"
    first.process.kill()
    first.process.wait()

    second = ServerProcess(engine_settings, data_dir, log)
    servers.append(second)
    second.wait_ready()
    assert _wait_for(second.url, job_id, {"succeeded", "failed"}, 300) == "succeeded"
    url = f"{second.url}/v1/jobs/{job_id}/result"
    body = httpx.get(url, params={"format": "diarized_json"}, timeout=30).json()
    speakers = [s["speaker"] for s in body["segments"]]
    assert set(speakers) == {"SPEAKER_1", "SPEAKER_2"}, body
    assert speakers[0] == "SPEAKER_1" and speakers[-1] == "SPEAKER_2"
    text = httpx.get(url, params={"format": "text"}, timeout=30).text
    assert text.startswith("[SPEAKER_1] ") and "\n[SPEAKER_2] " in text
    second.stop()
    assert run_counts(data_dir)[job_id] == (2, 1)  # interrupted once, completed once
