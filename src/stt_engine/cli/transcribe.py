"""``stt-engine transcribe``: files and folders to transcripts, with progress and --resume."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stt_engine.cli.options import (
    engine_and_table_values,
    engine_options,
    formats_option,
    table_options,
)
from stt_engine.cli.transcribe_plan import collect_sources, plan


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
    from stt_engine.cli.transcribe_run import RunOptions, run
    from stt_engine.options import decode_options, subtitle_options

    formats: tuple[str, ...] = tuple(kw.pop("formats") or ("text",))  # type: ignore[arg-type]
    output_dir = kw.pop("output_dir")
    assert output_dir is None or isinstance(output_dir, Path)
    sources = collect_sources(paths)
    if not sources:
        raise click.UsageError("no audio files found in the given paths")
    to_stdout = output_dir is None and len(sources) == 1 and len(formats) == 1
    jobs = plan(sources, formats, output_dir or Path.cwd(), to_stdout)
    overrides, values = engine_and_table_values(kw)
    options = RunOptions(
        formats=formats,
        to_stdout=to_stdout,
        decode=decode_options(values),
        subtitles=subtitle_options(values),
        **kw,  # type: ignore[arg-type]
    )
    failed = run(jobs, options, overrides)
    sys.exit(1 if failed else 0)
