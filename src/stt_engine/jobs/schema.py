"""The job database's tables, and the pragmas every connection uses."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from stt_engine.jobs import migrations
from stt_engine.jobs.record import (
    JobRecord,
    JobSpec,
    WebhookAttempt,
    options_from_json,
    options_to_json,
)

VERSION = 2  # 2: jobs.owner (migrations.STEPS takes older ones here)

_TABLES = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    model TEXT NOT NULL,
    options TEXT NOT NULL,
    filename TEXT NOT NULL,
    source TEXT NOT NULL,
    audio_path TEXT NOT NULL,
    audio_removed INTEGER NOT NULL DEFAULT 0,
    seconds_done REAL NOT NULL DEFAULT 0,
    seconds_total REAL,
    error_code TEXT,
    error TEXT,
    runs INTEGER NOT NULL DEFAULT 0,
    completions INTEGER NOT NULL DEFAULT 0,
    result_path TEXT,
    idempotency_key TEXT UNIQUE,
    fingerprint TEXT NOT NULL DEFAULT '',
    webhook_url TEXT,
    webhook_state TEXT,
    webhook_next_at REAL,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    attempt INTEGER NOT NULL,
    at REAL NOT NULL,
    status_code INTEGER,
    error TEXT,
    PRIMARY KEY (job_id, attempt)
);
"""

INSERT = (
    "INSERT INTO jobs (id, created_at, model, options, filename, source, audio_path, "
    "idempotency_key, fingerprint, webhook_url, webhook_state, owner) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def prepare(db: sqlite3.Connection, path: Path) -> None:
    """WAL journal, full sync, foreign keys, and the tables (created once, or migrated)."""
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        db.executescript(_TABLES)
        db.execute(f"PRAGMA user_version = {VERSION}")
    elif version != VERSION:
        migrations.migrate(db, path, version, VERSION)


def insert_args(job_id: str, spec: JobSpec) -> tuple[Any, ...]:
    return (
        job_id,
        time.time(),
        spec.model,
        options_to_json(spec.options),
        spec.filename,
        spec.source,
        spec.audio_path,
        spec.idempotency_key,
        spec.fingerprint,
        spec.webhook_url,
        "pending" if spec.webhook_url else None,
        spec.owner,
    )


def record_from_row(row: sqlite3.Row, attempts: tuple[WebhookAttempt, ...]) -> JobRecord:
    return JobRecord(
        id=row["id"],
        status=row["status"],
        model=row["model"],
        options=options_from_json(row["options"]),
        filename=row["filename"],
        source=row["source"],
        audio_path=row["audio_path"],
        audio_removed=bool(row["audio_removed"]),
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        seconds_done=row["seconds_done"],
        seconds_total=row["seconds_total"],
        error_code=row["error_code"],
        error=row["error"],
        runs=row["runs"],
        completions=row["completions"],
        result_path=row["result_path"],
        idempotency_key=row["idempotency_key"],
        fingerprint=row["fingerprint"],
        webhook_url=row["webhook_url"],
        webhook_state=row["webhook_state"],
        webhook_attempts=attempts,
        owner=row["owner"],
    )
