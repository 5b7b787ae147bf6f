"""The job worker on the real engine: success, failures, cancel, sharing the batcher."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.jobs.record import JobRecord, JobSpec
from stt_engine.jobs.results import read_result
from stt_engine.jobs.store import JobStore
from stt_engine.jobs.worker import JobWorker

OPTIONS = TranscribeOptions(language="en")


def submit(store: JobStore, path: Path, options: TranscribeOptions = OPTIONS) -> str:
    job_spec = JobSpec("base", options, str(path), "input", path.name)
    return store.create(job_spec)[0].id


def wait_for(store: JobStore, job_id: str, timeout: float = 120.0) -> JobRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.get(job_id)
        if job.ended:
            return job
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not end: {store.get(job_id)}")


@pytest.fixture()
def setup(tmp_path: Path, engine: Engine) -> Iterator[tuple[JobStore, JobWorker]]:
    store = JobStore(tmp_path / "data")
    worker = JobWorker(store, engine)
    worker.start()
    yield store, worker
    worker.stop(timeout=120)
    store.close()


def test_a_job_produces_the_same_transcript_as_a_direct_run(
    setup: tuple[JobStore, JobWorker], engine: Engine, jfk: Path
) -> None:
    store, worker = setup
    job_id = submit(store, jfk)
    worker.notify()
    job = wait_for(store, job_id)
    assert job.status == "succeeded", job.error
    assert (job.runs, job.completions) == (1, 1)
    assert job.seconds_total == pytest.approx(11.0, abs=0.1)
    assert job.seconds_done == job.seconds_total
    assert job.result_path is not None
    direct = engine.transcribe_all(engine.decode(jfk), OPTIONS)
    assert read_result(Path(job.result_path)).text == direct.text
    assert "ask not what your country can do for you" in direct.text


def test_unreadable_audio_fails_that_job_and_the_next_one_runs(
    setup: tuple[JobStore, JobWorker], tmp_path: Path, jfk: Path
) -> None:
    store, worker = setup
    corrupt = tmp_path / "broken.flac"
    corrupt.write_bytes(b"fLaC" + bytes(range(256)) * 40)
    bad, good = submit(store, corrupt), submit(store, jfk)
    worker.notify()
    failed = wait_for(store, bad)
    assert failed.status == "failed" and failed.error_code == "invalid_audio"
    assert failed.error is not None and "broken.flac: not a readable audio" in failed.error
    assert failed.result_path is None
    assert wait_for(store, good).status == "succeeded"


def test_a_full_disk_keeps_the_job_queued_until_there_is_space(
    setup: tuple[JobStore, JobWorker], jfk: Path
) -> None:
    store, worker = setup
    full = submit(store, jfk)
    # ENOSPC when its result is written; the failed write removes the link, so the next try
    # finds space again
    (store.results_dir / f"{full}.json.partial").symlink_to("/dev/full")
    worker.notify()
    job = wait_for(store, full)
    assert job.status == "succeeded" and job.runs == 2 and job.error is None


@pytest.mark.slow
def test_cancel_stops_a_running_job_at_the_next_segment(
    setup: tuple[JobStore, JobWorker], audio_dir: Path
) -> None:
    store, worker = setup
    long_file = audio_dir / "en/derived/long_en_read_mix.flac"
    job_id = submit(store, long_file)
    worker.notify()
    deadline = time.monotonic() + 120
    while store.get(job_id).seconds_done == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    store.cancel(job_id)
    worker.cancel(job_id)
    cancelled_at = time.monotonic()
    job = store.get(job_id)
    assert job.status == "cancelled" and 0 < job.seconds_done < 120
    while worker_busy(worker) and time.monotonic() - cancelled_at < 60:
        time.sleep(0.05)
    assert not worker_busy(worker), "the worker did not stop after the cancel"
    assert store.get(job_id).completions == 0
    assert not (store.results_dir / f"{job_id}.json").exists()


def worker_busy(worker: JobWorker) -> bool:
    return bool(worker._cancels)  # the jobs it is running now


@pytest.mark.slow
def test_stopping_the_worker_puts_its_job_back_in_the_queue(
    tmp_path: Path, engine: Engine, audio_dir: Path
) -> None:
    store = JobStore(tmp_path / "data")
    worker = JobWorker(store, engine)
    job_id = submit(store, audio_dir / "en/derived/long_en_read_mix.flac")
    worker.start()
    while store.get(job_id).seconds_done == 0:
        time.sleep(0.05)
    worker.stop(timeout=120)  # waits for the step in flight (slow when the CPU is shared)
    job = store.get(job_id)
    store.close()
    assert (job.status, job.runs, job.completions) == ("queued", 1, 0)


@pytest.mark.slow
def test_a_request_does_not_wait_for_a_whole_job(
    setup: tuple[JobStore, JobWorker], engine: Engine, jfk: Path, audio_dir: Path
) -> None:
    """A short transcription shares the batcher with a running 5-minute job and ends first."""
    store, worker = setup
    job_id = submit(store, audio_dir / "en/derived/long_en_read_mix.flac")
    worker.notify()
    while store.get(job_id).seconds_done == 0:
        time.sleep(0.05)
    for _ in range(2):
        transcript = engine.transcribe_file(jfk, OPTIONS)
        assert "ask not what your country can do for you" in transcript.text.lower()
    job = store.get(job_id)
    assert job.status == "running", "the job should still be running (it is 5 minutes long)"
    assert job.seconds_done < (job.seconds_total or 300)
    store.cancel(job_id)
    worker.cancel(job_id)
