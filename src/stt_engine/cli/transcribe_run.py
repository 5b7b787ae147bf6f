"""Running a planned ``transcribe``: one engine, a progress bar over audio time, per-file errors."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from stt_engine.cli.transcribe_plan import Job
from stt_engine.config import load_settings
from stt_engine.errors import SttError
from stt_engine.formats import SubtitleOptions, render

if TYPE_CHECKING:
    from stt_engine.engine import TranscribeOptions


@dataclass(frozen=True)
class RunOptions:
    formats: tuple[str, ...]
    to_stdout: bool
    model: str | None
    decode: TranscribeOptions
    subtitles: SubtitleOptions
    resume: bool
    no_progress: bool


def run(jobs: list[Job], options: RunOptions, overrides: dict[str, Any]) -> int:
    """Transcribe every job; the number of files that failed."""
    from stt_engine.audio import probe_seconds
    from stt_engine.engine import Engine

    todo = [j for j in jobs if not (options.resume and j.outputs and _done(j))]
    for job in jobs:
        if job not in todo:
            click.echo(f"skip (outputs exist): {job.source}", err=True)
    engine = Engine(load_settings(**overrides))
    engine.registry.resolve(options.model)  # an unknown model fails once, before any file
    total = sum(probe_seconds(j.source) for j in todo)
    bar = tqdm(
        total=round(total, 1),
        unit="s",
        disable=options.no_progress or None,
        file=sys.stderr,
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s audio [{elapsed}<{remaining}]",
    )
    failed = 0
    with bar:
        for job in todo:
            try:
                _one(engine, job, options, bar)
            except SttError as exc:
                failed += 1
                hint = f" ({exc.hint})" if exc.hint else ""
                bar.write(f"failed: {job.source}: {exc.message}{hint}", file=sys.stderr)
    if failed:
        click.echo(f"{failed} of {len(todo)} file(s) failed", err=True)
    return failed


def _one(engine: Any, job: Job, options: RunOptions, bar: tqdm) -> None:
    start = bar.n
    transcript = engine.transcribe_file(
        job.source,
        options.decode,
        model=options.model,
        progress=lambda done: bar.update(round(start + done, 1) - bar.n),
    )
    if options.to_stdout:
        bar.clear()
        click.echo(render(transcript, options.formats[0], options.subtitles), nl=False)
        return
    for fmt, target in job.outputs.items():
        _write_atomic(target, render(transcript, fmt, options.subtitles))
    written = ", ".join(str(p) for p in job.outputs.values())
    bar.write(f"done: {job.source} -> {written}", file=sys.stderr)


def _done(job: Job) -> bool:
    return all(p.is_file() and p.stat().st_size > 0 for p in job.outputs.values())


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
