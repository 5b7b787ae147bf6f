"""``stt-engine transcribe``: files and folders to transcripts, with progress and --resume.

The flags and what is printed live here; listing the files, skipping finished ones, writing
and the progress bar are the batch machinery's (``stt_engine.batch``), as for ``batch``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stt_engine.cli.flags import (
    engine_and_table_values,
    engine_options,
    formats_option,
    table_options,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@engine_options
@table_options("cli")
@formats_option
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write <name>.<ext> here (default: print one file to stdout).",
)
@click.option("--resume", is_flag=True, help="Skip files whose outputs already exist.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def transcribe(paths: tuple[Path, ...], **kw: object) -> None:
    """Transcribe audio or video files (folders are walked)."""
    from stt_engine.batch.driver import Driver
    from stt_engine.batch.inputs import collect_files
    from stt_engine.batch.run_local import run_local
    from stt_engine.batch.work import BatchSpec
    from stt_engine.config import load_settings
    from stt_engine.options import decode_options, subtitle_options

    formats: tuple[str, ...] = tuple(kw.pop("formats") or ("text",))  # type: ignore[arg-type]
    output_dir = kw.pop("output_dir")
    assert output_dir is None or isinstance(output_dir, Path)
    overrides, values = engine_and_table_values(kw)  # a bad option fails before any work
    items = collect_files(paths)
    if not items:
        raise click.UsageError("no audio files found in the given paths")
    to_stdout = output_dir is None and len(items) == 1 and len(formats) == 1
    spec = BatchSpec(
        formats=formats,
        decode=decode_options(values),
        subtitles=subtitle_options(values),
        model=kw.pop("model"),  # type: ignore[arg-type]
    )
    out = None if to_stdout else output_dir or Path.cwd()
    resume, progress = bool(kw.pop("resume")), not kw.pop("no_progress")
    driver = Driver(items, out, spec, progress, manifest=False, resume=resume)
    for item in driver.skipped:
        click.echo(f"skip (outputs exist): {item.source}", err=True)
    try:
        run_local(driver, spec, load_settings(**overrides))
    finally:
        driver.close()
    failed = driver.tally.failed
    if failed:
        click.echo(f"{failed} of {len(driver.pending)} file(s) failed", err=True)
    sys.exit(1 if failed else 0)
