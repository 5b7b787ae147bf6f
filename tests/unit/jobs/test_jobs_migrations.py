"""Migrating an older job database: a backup copy first, one transaction, a kill -9 survived."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stt_engine.errors import ConfigError, StorageError
from stt_engine.jobs.migrations import backup_path
from stt_engine.jobs.record import JobSpec
from stt_engine.jobs.schema import VERSION
from stt_engine.jobs.store import JobStore
from stt_engine.options import TranscribeOptions


def _spec(name: str) -> JobSpec:
    options = TranscribeOptions(language="en")
    return JobSpec(
        model="base",
        options=options,
        audio_path=f"/audio/{name}",
        source="input",
        filename=name,
        fingerprint="f-" + name,
    )


def version_1_database(data: Path) -> tuple[Path, str]:
    """A data dir whose database has the first schema (no jobs.owner) and one queued job."""
    store = JobStore(data)
    job, _ = store.create(_spec("old.flac"))
    store.close()
    path = data / "jobs.sqlite3"
    db = sqlite3.connect(path)
    db.execute("DROP INDEX jobs_owner")
    db.execute("ALTER TABLE jobs DROP COLUMN owner")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    return path, job.id


def _read(path: Path) -> tuple[int, list[str], list[str]]:
    """(user_version, jobs columns, job ids) as a plain SQLite reader sees them."""
    db = sqlite3.connect(path)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        columns = [row[1] for row in db.execute("PRAGMA table_info(jobs)")]
        ids = [row[0] for row in db.execute("SELECT id FROM jobs ORDER BY seq")]
    finally:
        db.close()
    return version, columns, ids


def test_migration_keeps_a_copy_of_the_old_database_first(tmp_path: Path) -> None:
    path, job_id = version_1_database(tmp_path / "data")
    store = JobStore(tmp_path / "data")
    try:
        assert store.get(job_id).status == "queued"
    finally:
        store.close()
    assert _read(path)[0] == VERSION and "owner" in _read(path)[1]
    copy = backup_path(path, 1)
    assert copy.name == "jobs.sqlite3.v1.bak"
    version, columns, ids = _read(copy)
    assert (version, "owner" in columns, ids) == (1, False, [job_id])
    assert not list(path.parent.glob("*.partial"))


# Opens the store with a trace hook that SIGKILLs this process on the statement that would
# commit the new schema version: a real kill -9 in the middle of the migration's transaction.
_KILLED_MID_MIGRATION = """
import os, signal, sqlite3, sys
from stt_engine.jobs import schema
original = schema.prepare
def prepare(db, path):
    def hook(statement):
        if statement.startswith("PRAGMA user_version = "):
            os.kill(os.getpid(), signal.SIGKILL)
    db.set_trace_callback(hook)
    original(db, path)
schema.prepare = prepare
from stt_engine.jobs.store import JobStore
JobStore(__import__("pathlib").Path(sys.argv[1]))
"""


def test_a_kill_during_the_migration_leaves_the_old_schema_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    path, job_id = version_1_database(tmp_path / "data")
    command = [sys.executable, "-c", _KILLED_MID_MIGRATION, str(tmp_path / "data")]
    killed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    version, columns, ids = _read(path)  # what the release before would open
    assert (version, "owner" in columns, ids) == (1, False, [job_id])
    store = JobStore(tmp_path / "data")  # the next start migrates
    try:
        assert store.get(job_id, "key:any").owner is None
    finally:
        store.close()
    assert _read(path)[0] == VERSION


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    JobStore(data).close()
    path = data / "jobs.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match=f"schema version {VERSION + 1}") as raised:
        JobStore(data)
    assert raised.value.hint is not None and "newer stt-engine" in raised.value.hint
    assert _read(path)[0] == VERSION + 1
    assert not list(data.glob("*.bak"))
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {VERSION}")
    db.commit()
    db.close()
    JobStore(data).close()  # the refusal released the directory lock


def test_no_migration_without_its_backup_copy(tmp_path: Path) -> None:
    path, _ = version_1_database(tmp_path / "data")
    blocker = backup_path(path, 1)
    blocker.mkdir()  # the copy cannot be renamed into place
    (blocker / "keep").write_text("x")
    with pytest.raises(StorageError, match="before migrating it"):
        JobStore(tmp_path / "data")
    assert _read(path)[0] == 1
    assert not list(path.parent.glob("*.partial"))
