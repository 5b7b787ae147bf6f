"""The job database: SQLite in WAL mode under ``data_dir``, one writer, one transaction per change.

One connection, guarded by a lock, does every read and write of this process; every state
change runs inside ``BEGIN IMMEDIATE ... COMMIT`` with ``synchronous=FULL``, so a change that
returned is on disk. A lock file keeps a second server process off the same data directory.
Writes that belong to a run carry its run number (``runs``): a run that was superseded (the
job was cancelled, or requeued after a crash) cannot complete it, so a job completes once.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stt_engine.errors import (
    ConfigError,
    JobError,
    JobStateError,
    NotFoundError,
    StorageError,
    quoted,
)
from stt_engine.jobs import schema
from stt_engine.jobs.record import JobRecord, JobSpec, WebhookAttempt


class JobStore:
    """Durable jobs in ``<data_dir>/jobs.sqlite3``; uploads and results in sub-folders."""

    def __init__(self, data_dir: Path):
        data_dir = data_dir.resolve()
        self.data_dir = data_dir
        self.uploads_dir = data_dir / "uploads"
        self.results_dir = data_dir / "results"
        for folder in (data_dir, self.uploads_dir, self.results_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._lock_fd = _lock_directory(data_dir)
        self._lock = threading.Lock()
        path = data_dir / "jobs.sqlite3"
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        try:
            schema.prepare(self._db, path)
        except BaseException:  # refused or failed migration: let the next open try again
            self._db.close()
            os.close(self._lock_fd)
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
        os.close(self._lock_fd)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; StorageError when the disk is full (nothing is written)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if not _disk_full(exc):
                    raise
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageError(
                    f"the job database cannot grow: {exc}",
                    hint=f"free space in the data directory {self.data_dir}",
                ) from exc

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # --- submission and reading ---

    def create(self, spec: JobSpec) -> tuple[JobRecord, bool]:
        """Insert a queued job; with a known Idempotency-Key, the earlier job and False."""
        with self._tx() as db:
            if spec.idempotency_key is not None:
                row = db.execute(
                    "SELECT id, fingerprint FROM jobs WHERE idempotency_key = ?",
                    (spec.idempotency_key,),
                ).fetchone()
                if row is not None:
                    _same_request(row["fingerprint"], spec.fingerprint)
                    return self._load(db, row["id"]), False
            job_id = new_job_id()
            db.execute(schema.INSERT, schema.insert_args(job_id, spec))
            return self._load(db, job_id), True

    def get(self, job_id: str, owner: str | None = None) -> JobRecord:
        """The job; NotFoundError when it does not exist or ``owner`` may not see it."""
        with self._lock:
            job = self._load(self._db, job_id)
        if not visible(job, owner):
            raise _not_found(job_id)
        return job

    def page(
        self, status: str | None, limit: int, cursor: str | None, owner: str | None = None
    ) -> tuple[list[JobRecord], bool]:
        """Newest first; ``cursor`` is the last id of the previous page; ``owner``'s only."""
        where: list[str] = ["1 = 1"]
        args: list[object] = []
        if owner is not None:
            where.append("(owner = ? OR owner IS NULL)")
            args.append(owner)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if cursor is not None:
            where.append("seq < ?")
            args.append(self._seq(cursor))
        sql = f"SELECT id FROM jobs WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ?"
        with self._lock:
            ids = [r["id"] for r in self._db.execute(sql, (*args, limit + 1)).fetchall()]
            records = [self._load(self._db, job_id) for job_id in ids[:limit]]
        return records, len(ids) > limit

    def _seq(self, job_id: str) -> int:
        rows = self._query("SELECT seq FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFoundError(f"unknown cursor {quoted(job_id)}", param="cursor")
        return int(rows[0]["seq"])

    def _load(self, db: sqlite3.Connection, job_id: str) -> JobRecord:
        row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no job {quoted(job_id)}", param="id")
        attempts = db.execute(
            "SELECT attempt, at, status_code, error FROM webhook_attempts "
            "WHERE job_id = ? ORDER BY attempt",
            (job_id,),
        ).fetchall()
        return schema.record_from_row(row, tuple(WebhookAttempt(*a) for a in attempts))

    # --- the worker's transitions ---

    def requeue_interrupted(self) -> int:
        """Jobs a crash left running go back to the queue; returns how many."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'queued', seconds_done = 0 WHERE status = 'running'"
            )
            return cursor.rowcount

    def claim_next(self) -> JobRecord | None:
        """The oldest queued job, now running under a new run number."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', runs = runs + 1, started_at = ?, "
                "seconds_done = 0 WHERE id = ?",
                (time.time(), row["id"]),
            )
            return self._load(db, row["id"])

    def progress(self, job_id: str, run: int, done: float, total: float | None = None) -> bool:
        """Record audio seconds done (and the total once known); False if the run is over."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET seconds_done = ?, seconds_total = COALESCE(?, seconds_total) "
                "WHERE id = ? AND runs = ? AND status = 'running'",
                (done, total, job_id, run),
            )
            return cursor.rowcount == 1

    def succeed(self, job_id: str, run: int, result_path: str) -> bool:
        """Complete the run; False (nothing changed) if the job was cancelled meanwhile."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'succeeded', completions = completions + 1, "
                "result_path = ?, finished_at = ?, seconds_done = COALESCE(seconds_total, "
                "seconds_done), webhook_next_at = ? WHERE id = ? AND runs = ? "
                "AND status = 'running'",
                (result_path, time.time(), time.time(), job_id, run),
            )
            return cursor.rowcount == 1

    def fail(self, job_id: str, run: int, code: str, message: str) -> bool:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'failed', error_code = ?, error = ?, finished_at = ?, "
                "webhook_next_at = ? WHERE id = ? AND runs = ? AND status = 'running'",
                (code, message, time.time(), time.time(), job_id, run),
            )
            return cursor.rowcount == 1

    def requeue(self, job_id: str, run: int) -> None:
        """Put a run stopped by shutdown back in the queue."""
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = 'queued', seconds_done = 0 "
                "WHERE id = ? AND runs = ? AND status = 'running'",
                (job_id, run),
            )

    def cancel(self, job_id: str, owner: str | None = None) -> JobRecord:
        """Cancel a queued or running job; JobStateError once it has ended."""
        with self._tx() as db:
            job = self._load(db, job_id)
            if not visible(job, owner):
                raise _not_found(job_id)
            if job.ended:
                raise JobStateError(f"job '{job_id}' has already {job.status}")
            db.execute(
                "UPDATE jobs SET status = 'cancelled', finished_at = ?, webhook_next_at = ? "
                "WHERE id = ?",
                (time.time(), time.time(), job_id),
            )
            return self._load(db, job_id)

    def delete(self, job_id: str, owner: str | None = None) -> JobRecord:
        """Remove an ended job's row (the caller removes its files); JobStateError before."""
        with self._tx() as db:
            job = self._load(db, job_id)
            if not visible(job, owner):
                raise _not_found(job_id)
            if not job.ended:
                raise JobStateError(f"job '{job_id}' is {job.status}: cancel it first")
            db.execute("DELETE FROM webhook_attempts WHERE job_id = ?", (job_id,))
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            return job

    def expired(self, ended_before: float) -> list[str]:
        """Ended jobs past the result retention whose webhook is no longer pending."""
        rows = self._query(
            "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at <= ? "
            "AND (webhook_state IS NULL OR webhook_state != 'pending')",
            (ended_before,),
        )
        return [r["id"] for r in rows]

    def counts(self) -> tuple[dict[str, int], float | None]:
        """Jobs per status, and when the oldest queued job was created (None: none queued)."""
        rows = self._query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        oldest = self._query("SELECT MIN(created_at) AS t FROM jobs WHERE status = 'queued'")
        return {r["status"]: int(r["n"]) for r in rows}, oldest[0]["t"]

    # --- retention and webhooks ---

    def audio_to_remove(self, ended_before: float) -> list[JobRecord]:
        """Ended jobs whose uploaded audio is past its retention."""
        rows = self._query(
            "SELECT id FROM jobs WHERE audio_removed = 0 AND source = 'upload' "
            "AND finished_at IS NOT NULL AND finished_at <= ?",
            (ended_before,),
        )
        return [self.get(r["id"]) for r in rows]

    def mark_audio_removed(self, job_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE jobs SET audio_removed = 1 WHERE id = ?", (job_id,))

    def kept_uploads(self) -> set[str]:
        rows = self._query("SELECT audio_path FROM jobs WHERE audio_removed = 0")
        return {r["audio_path"] for r in rows}

    def due_webhooks(self, now: float) -> list[JobRecord]:
        rows = self._query(
            "SELECT id FROM jobs WHERE webhook_state = 'pending' AND finished_at IS NOT NULL "
            "AND webhook_next_at <= ? ORDER BY webhook_next_at",
            (now,),
        )
        return [self.get(r["id"]) for r in rows]

    def record_webhook(
        self, job_id: str, attempt: WebhookAttempt, state: str, next_at: float
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO webhook_attempts (job_id, attempt, at, status_code, error) "
                "VALUES (?, ?, ?, ?, ?)",
                (job_id, attempt.attempt, attempt.at, attempt.status_code, attempt.error),
            )
            db.execute(
                "UPDATE jobs SET webhook_state = ?, webhook_next_at = ? WHERE id = ?",
                (state, next_at, job_id),
            )


def _disk_full(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def visible(job: JobRecord, owner: str | None) -> bool:
    """Whether ``owner`` (None: no keys, sees all) may see the job; ownerless jobs are shared."""
    return owner is None or job.owner is None or job.owner == owner


def _not_found(job_id: str) -> NotFoundError:
    return NotFoundError(f"no job {quoted(job_id)}", param="id")  # as for a job that never was


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex


def _same_request(stored: str, given: str) -> None:
    if stored != given:
        raise JobError(
            "this Idempotency-Key was already used for a different request",
            hint="use a new key for a new submission",
            param="Idempotency-Key",
        )


def _lock_directory(data_dir: Path) -> int:
    fd = os.open(data_dir / "jobs.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(
            f"another stt-engine process is using the job data directory {data_dir}",
            hint="give each server its own data_dir (STT_ENGINE_DATA_DIR)",
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps({"pid": os.getpid()}).encode())
    return fd
