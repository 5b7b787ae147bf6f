"""A full data / upload disk: clear 507s, accepted jobs kept, recovery when space returns.

The server's upload and data folders live on a 6 MB tmpfs mounted for the test (root only:
skipped where mounting is not allowed), which the test fills to the last byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_jobs_helpers import JFK, job_settings, live_jobs_server, upload, wait_ended

from stt_engine.engine import Engine

pytestmark = pytest.mark.timeout(600)


@pytest.fixture()
def disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the disk has no byte left; returns it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 14, 1 << 10, 64, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


@pytest.mark.corpus
def test_full_disk_refuses_cleanly_keeps_jobs_and_recovers(
    disk: Path, tmp_path: Path, engine: Engine
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copyfile(JFK, inputs / "jfk.flac")
    settings = job_settings(
        tmp_path, data_dir=disk / "data", upload_dir=disk / "uploads", jobs_input_dir=inputs
    )
    with live_jobs_server(settings, engine) as client:
        first = client.post("/v1/jobs", json={"file": "jfk.flac", "language": "en"}).json()
        assert wait_ended(client, first["id"])["status"] == "succeeded"
        filler = _fill(disk)

        refused = client.post(
            "/v1/audio/transcriptions", files={"file": ("jfk.flac", JFK.read_bytes())}
        )
        assert refused.status_code == 507, refused.text
        error = refused.json()["error"]
        assert error["code"] == "insufficient_storage" and "no space" in error["message"]
        job_upload = upload(client, JFK, language="en")
        assert job_upload.status_code == 507, job_upload.text
        assert client.get("/health").status_code == 200

        waiting = client.post("/v1/jobs", json={"file": "jfk.flac", "language": "en"})
        if waiting.status_code == 202:  # the database still had room: the job must survive
            job_id = waiting.json()["id"]
            time.sleep(4)
            assert client.get(f"/v1/jobs/{job_id}").json()["status"] in ("queued", "running")
        else:
            assert waiting.status_code == 507, waiting.text
            job_id = None

        filler.unlink()
        if job_id is not None:
            assert wait_ended(client, job_id)["status"] == "succeeded"
        again = client.post(
            "/v1/audio/transcriptions",
            files={"file": ("jfk.flac", JFK.read_bytes())},
            data={"language": "en"},
        )
        assert again.status_code == 200 and "ask not" in again.json()["text"]
        assert upload(client, JFK, language="en").status_code == 202
    leftovers = [p for p in (disk / "uploads").rglob("*") if p.is_file() and p.name != "owner.pid"]
    assert leftovers == []


def test_the_jobs_api_reports_storage_errors_in_the_error_shape(tmp_path: Path) -> None:
    from stt_engine.errors import StorageError, StorageUnavailableError

    assert StorageError("x").to_openai()["error"]["code"] == "insufficient_storage"
    assert StorageUnavailableError("x").http_status == 503
    assert httpx.codes(StorageError.http_status) == httpx.codes.INSUFFICIENT_STORAGE
