"""A run's outputs: one file per item and format (or stdout), and the results manifest.

Every output is written whole or not at all (``files.write_atomic``), so a file that exists is
complete, and writing it again (a retried item) replaces it whole. The manifest
(``results.jsonl`` in the output folder) is a journal of JSON lines, one per finished item,
each appended in one write and flushed to disk; a line cut short by a crash does not parse and
is ignored when the manifest is read back. At the end of a run it is rewritten (temporary file
and rename) with the last line of each item only. Only the driver of a run writes either.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Literal

import click

from stt_engine.files import write_atomic
from stt_engine.formats import FORMATS

MANIFEST_NAME = "results.jsonl"
Status = Literal["ok", "error"]


@dataclass(frozen=True, slots=True)
class Record:
    """One manifest line: what became of one input file."""

    file: str
    key: str
    status: Status
    duration: float | None = None  # audio seconds
    language: str | None = None
    error: str | None = None
    outputs: list[str] = field(default_factory=list)  # relative to the output folder
    seconds: float | None = None  # wall time of its transcription

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False) + "\n"


class Layout:
    """Where an item's outputs go: ``<out>/<key>.<extension>`` for each format."""

    def __init__(self, out: Path, formats: tuple[str, ...]):
        self.out = out
        self.formats = formats

    def targets(self, key: str) -> dict[str, Path]:
        return {f: self.out / f"{key}.{FORMATS[f].extension}" for f in self.formats}

    def complete(self, key: str, nonempty: bool = False) -> bool:
        """Every output of the item exists (and, with ``nonempty``, holds something)."""
        return all(
            p.is_file() and (not nonempty or p.stat().st_size > 0)
            for p in self.targets(key).values()
        )

    def write(self, key: str, rendered: dict[str, str]) -> list[str]:
        """Write each format's text atomically; the paths written, relative to the folder."""
        written = []
        for fmt, target in self.targets(key).items():
            write_atomic(target, rendered[fmt])
            written.append(str(target.relative_to(self.out)))
        return written


class Stdout:
    """One item's one format printed to stdout (``transcribe`` of a single file); never done."""

    out = None

    def __init__(self, fmt: str):
        self.formats = (fmt,)

    def complete(self, key: str, nonempty: bool = False) -> bool:
        return False

    def write(self, key: str, rendered: dict[str, str]) -> list[str]:
        click.echo(rendered[self.formats[0]], nl=False)
        return []


class Manifest:
    """The results journal of one output folder, opened for appending by one writer."""

    def __init__(self, out: Path):
        self.path = out / MANIFEST_NAME
        self.records: dict[str, Record] = read_records(self.path)
        self._handle: IO[str] | None = None

    def done(self, key: str) -> bool:
        record = self.records.get(key)
        return record is not None and record.status == "ok"

    def add(self, record: Record) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(record.line())
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.records[record.key] = record

    def close(self) -> None:
        """Close the journal and rewrite it with one line per item."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.records:
            write_atomic(self.path, "".join(r.line() for r in self.records.values()))


def read_records(path: Path) -> dict[str, Record]:
    """The last record of each item in a manifest; lines that do not parse are skipped."""
    records: dict[str, Record] = {}
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = Record(**json.loads(line))
        except (json.JSONDecodeError, TypeError):
            continue  # a line cut short by a crash, or not ours
        records[record.key] = record
    return records
