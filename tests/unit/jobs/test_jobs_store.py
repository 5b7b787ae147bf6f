"""The job store: transitions, run guards, idempotency, paging, the directory lock, durability."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from stt_engine.engine import TranscribeOptions
from stt_engine.errors import ConfigError, JobError, JobStateError, NotFoundError
from stt_engine.jobs.record import JobSpec, WebhookAttempt
from stt_engine.jobs.store import JobStore


def spec(name: str = "a.flac", key: str | None = None, fingerprint: str = "f1") -> JobSpec:
    return JobSpec(
        model="base",
        options=TranscribeOptions(language="ko", beam_size=3, word_timestamps=True),
        audio_path=f"/audio/{name}",
        source="input",
        filename=name,
        idempotency_key=key,
        fingerprint=fingerprint,
    )


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[JobStore]:
    opened = JobStore(tmp_path / "data")
    yield opened
    opened.close()


def test_a_job_runs_through_its_states(store: JobStore) -> None:
    job, created = store.create(spec())
    assert created and job.status == "queued" and job.runs == 0
    running = store.claim_next()
    assert running is not None and running.id == job.id
    assert (running.status, running.runs) == ("running", 1)
    assert store.progress(job.id, 1, 2.5, 10.0)
    assert store.get(job.id).to_api()["progress"] == {
        "seconds_done": 2.5,
        "seconds_total": 10.0,
        "fraction": 0.25,
    }
    assert store.succeed(job.id, 1, "/results/x.json")
    done = store.get(job.id)
    assert (done.status, done.completions, done.seconds_done) == ("succeeded", 1, 10.0)
    assert done.options == spec().options
    assert store.claim_next() is None


def test_a_job_completes_once_even_when_a_stale_run_finishes(store: JobStore) -> None:
    job, _ = store.create(spec())
    store.claim_next()
    assert store.requeue_interrupted() == 1  # the start-up after a crash
    second = store.claim_next()
    assert second is not None and second.runs == 2
    assert not store.succeed(job.id, 1, "/r")  # the first run cannot complete the job
    assert not store.progress(job.id, 1, 5.0)
    assert store.succeed(job.id, 2, "/r")
    assert not store.succeed(job.id, 2, "/r")
    assert store.get(job.id).completions == 1


def test_jobs_are_claimed_oldest_first(store: JobStore) -> None:
    ids = [store.create(spec(f"{i}.flac"))[0].id for i in range(3)]
    claimed = [store.claim_next() for _ in range(3)]
    assert [job.id for job in claimed if job] == ids


def test_failure_keeps_code_and_message(store: JobStore) -> None:
    job, _ = store.create(spec())
    store.claim_next()
    assert store.fail(job.id, 1, "invalid_audio", "a.flac: not a readable audio file")
    body = store.get(job.id).to_api()
    assert body["status"] == "failed"
    assert body["error"] == {
        "code": "invalid_audio",
        "message": "a.flac: not a readable audio file",
    }


def test_cancel_queued_and_running_but_not_ended(store: JobStore) -> None:
    queued, _ = store.create(spec("q.flac"))
    running, _ = store.create(spec("r.flac"))
    store.claim_next()
    store.claim_next()
    store.cancel(queued.id)
    store.cancel(running.id)
    assert store.get(queued.id).status == "cancelled"
    assert not store.succeed(running.id, 1, "/r")  # a cancelled run cannot complete
    with pytest.raises(JobStateError, match="already cancelled"):
        store.cancel(running.id)
    with pytest.raises(NotFoundError):
        store.cancel("job_missing")


def test_idempotency_key_returns_the_first_job(store: JobStore) -> None:
    first, created = store.create(spec(key="k-1"))
    again, created_again = store.create(spec(key="k-1"))
    assert created and not created_again and again.id == first.id
    with pytest.raises(JobError, match="different request"):
        store.create(spec(key="k-1", fingerprint="other"))
    assert len(store.page(None, 10, None)[0]) == 1


def test_paging_newest_first_with_cursor_and_status(store: JobStore) -> None:
    ids = [store.create(spec(f"{i}.flac"))[0].id for i in range(5)]
    store.claim_next()
    page, more = store.page(None, 2, None)
    assert [j.id for j in page] == [ids[4], ids[3]] and more
    page, more = store.page(None, 2, page[-1].id)
    assert [j.id for j in page] == [ids[2], ids[1]] and more
    page, more = store.page(None, 2, page[-1].id)
    assert [j.id for j in page] == [ids[0]] and not more
    queued, _ = store.page("queued", 10, None)
    assert [j.id for j in queued] == ids[:0:-1]
    with pytest.raises(NotFoundError):
        store.page(None, 2, "job_nope")


def test_webhook_attempts_are_recorded(store: JobStore) -> None:
    job, _ = store.create(replace(spec(), webhook_url="http://127.0.0.1:9/h"))
    assert store.due_webhooks(now=1e12) == []  # not ended yet
    store.claim_next()
    store.fail(job.id, 1, "invalid_audio", "bad")
    assert [j.id for j in store.due_webhooks(now=1e12)] == [job.id]
    store.record_webhook(job.id, WebhookAttempt(1, 1.0, 500, "HTTP 500"), "pending", 1e13)
    assert store.due_webhooks(now=1e12) == []
    store.record_webhook(job.id, WebhookAttempt(2, 2.0, 200, None), "delivered", 1e13)
    hook = store.get(job.id).to_api()["webhook"]
    assert isinstance(hook, dict) and hook["state"] == "delivered"
    assert [a["status_code"] for a in hook["attempts"]] == [500, 200]


def test_a_second_store_on_the_same_directory_is_refused(store: JobStore) -> None:
    with pytest.raises(ConfigError, match="another stt-engine process"):
        JobStore(store.data_dir)


def test_state_survives_reopening_in_wal_mode(tmp_path: Path) -> None:
    first = JobStore(tmp_path)
    job, _ = first.create(spec())
    first.claim_next()
    first.close()
    reopened = JobStore(tmp_path)
    try:
        assert reopened.get(job.id).status == "running"
        assert reopened.requeue_interrupted() == 1
        assert reopened.get(job.id).status == "queued"
    finally:
        reopened.close()
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_finished_jobs_expire_with_their_results(tmp_path: Path) -> None:
    from stt_engine.config import Settings
    from stt_engine.jobs.service import JobService

    settings = Settings(data_dir=tmp_path, job_workers=0, job_result_retention_seconds=60)
    service = JobService(settings, engine=None)  # type: ignore[arg-type]  # no worker runs
    try:
        store = service.store
        old, _ = store.create(spec("old.flac"))
        new, _ = store.create(spec("new.flac"))
        for _ in (old, new):
            claimed = store.claim_next()
            assert claimed is not None
            result = tmp_path / f"{claimed.id}.json"
            result.write_text("{}")
            store.succeed(claimed.id, claimed.runs, str(result))
        with store._tx() as db:  # the first one ended two minutes ago
            db.execute("UPDATE jobs SET finished_at = finished_at - 120 WHERE id = ?", (old.id,))
        service.sweep()
        with pytest.raises(NotFoundError):
            store.get(old.id)
        assert not (tmp_path / f"{old.id}.json").exists()
        assert store.get(new.id).status == "succeeded" and (tmp_path / f"{new.id}.json").exists()
    finally:
        service.stop()


def test_owners_see_their_own_jobs_and_shared_old_ones(store: JobStore) -> None:
    mine, _ = store.create(replace(spec("mine.flac"), owner="key:a"))
    theirs, _ = store.create(replace(spec("theirs.flac"), owner="key:b"))
    shared, _ = store.create(spec("from-before-keys.flac"))
    assert store.get(mine.id, "key:a").filename == "mine.flac"
    with pytest.raises(NotFoundError, match=f"no job '{theirs.id}'"):
        store.get(theirs.id, "key:a")
    with pytest.raises(NotFoundError):
        store.cancel(theirs.id, "key:a")
    page, _ = store.page(None, 10, None, "key:a")
    assert [j.id for j in page] == [shared.id, mine.id]
    assert len(store.page(None, 10, None)[0]) == 3  # no keys: everything


def test_a_version_1_database_gains_owners(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = JobStore(data)
    job, _ = first.create(spec())
    first.close()
    db = sqlite3.connect(data / "jobs.sqlite3")  # back to the first schema
    db.execute("DROP INDEX jobs_owner")
    db.execute("ALTER TABLE jobs DROP COLUMN owner")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    reopened = JobStore(data)
    try:
        assert reopened.get(job.id, "key:any").owner is None
        assert reopened.create(replace(spec("b.flac"), owner="key:a"))[0].owner == "key:a"
    finally:
        reopened.close()
