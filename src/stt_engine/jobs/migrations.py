"""An older job database brought to this version's schema: a backup copy first, then one step.

Each entry of ``STEPS`` takes schema version N to N+1. Before the first step the database is
copied with SQLite's online backup to ``jobs.sqlite3.v<N>.bak`` beside it (through
``files.replacing``, so a crash never leaves a half copy under that name). The steps and
the new ``user_version`` commit in one transaction: a process killed mid-migration leaves the
database at its old version, which the release before still opens, and the next start migrates
again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from stt_engine.errors import ConfigError, StorageError
from stt_engine.files import replacing

log = logging.getLogger(__name__)

STEPS: dict[int, tuple[str, ...]] = {
    # 1 -> 2: jobs.owner; jobs from before keys stay visible to every key
    1: (
        "ALTER TABLE jobs ADD COLUMN owner TEXT",
        "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq)",
    ),
}


def backup_path(db_path: Path, version: int) -> Path:
    return db_path.with_name(f"{db_path.name}.v{version}.bak")


def migrate(db: sqlite3.Connection, db_path: Path, version: int, target: int) -> Path:
    """Back the database up, then take it from ``version`` to ``target``; returns the backup."""
    if version > target:
        raise ConfigError(
            f"the job database {db_path} has schema version {version}; this stt-engine "
            f"reads versions up to {target}",
            hint="a newer stt-engine wrote it: run that one (install.sh --rollback went back "
            f"too far?), or restore the copy {backup_path(db_path, target)} it made",
        )
    backup = write_backup(db, backup_path(db_path, version))
    db.execute("BEGIN IMMEDIATE")
    try:
        for step in range(version, target):
            for statement in STEPS[step]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {target}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    log.info("job database %s: schema %d -> %d (copy before: %s)", db_path, version, target, backup)
    return backup


def write_backup(db: sqlite3.Connection, target: Path) -> Path:
    """A consistent copy of the open database at ``target``, flushed to disk."""
    try:
        with replacing(target) as partial:
            copy = sqlite3.connect(partial)
            try:
                db.backup(copy)
            finally:
                copy.close()
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"cannot copy the job database to {target} before migrating it: {exc}",
            hint=f"free space in {target.parent}; the database was left as it was",
        ) from exc
    return target
