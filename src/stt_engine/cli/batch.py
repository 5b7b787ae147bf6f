"""``stt-engine batch``: many files to transcripts and a results manifest, here or on Ray."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stt_engine.cli.flags import (
    engine_and_table_values,
    engine_options,
    formats_option,
    table_options,
)

if TYPE_CHECKING:
    from stt_engine.batch.driver import Driver
    from stt_engine.batch.work import BatchSpec
    from stt_engine.config import Settings


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: <key>.<ext> per file and format, and results.jsonl.",
)
@formats_option
@click.option(
    "--ray",
    "ray_address",
    default=None,
    metavar="auto|local|ADDRESS",
    help="Run on Ray Data: local starts Ray here, auto joins the running cluster.",
)
@click.option("--workers", type=click.IntRange(1), default=1, help="Ray actors (one model each).")
@click.option(
    "--gpus-per-worker", type=click.FloatRange(0), default=0.0, help="GPU share of each actor."
)
@click.option(
    "--cpus-per-worker", type=click.FloatRange(0), default=1.0, help="CPUs of each actor."
)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@engine_options
@table_options("cli")
def batch(inputs: tuple[Path, ...], **kw: object) -> None:
    """Transcribe files, folders, manifests (.jsonl) and list files (.txt) into a folder.

    A rerun skips the files already done and retries those that failed; one bad file never
    stops the run. Each file gets a line in <out>/results.jsonl: file, status, duration,
    language, error.
    """
    from stt_engine.batch.driver import Driver
    from stt_engine.batch.inputs import collect
    from stt_engine.batch.work import BatchSpec
    from stt_engine.config import load_settings
    from stt_engine.options import decode_options, subtitle_options

    out = kw.pop("out")
    assert isinstance(out, Path)
    overrides, values = engine_and_table_values(kw)  # a bad option fails before any work
    items = collect(inputs)
    if not items:
        raise click.UsageError("no audio files found in the given inputs")
    spec = BatchSpec(
        formats=tuple(kw.pop("formats") or ("text",)),  # type: ignore[arg-type]
        decode=decode_options(values),
        subtitles=subtitle_options(values),
        model=kw.pop("model"),  # type: ignore[arg-type]
    )
    settings = load_settings(**overrides)
    driver = Driver(items, out, spec, progress=not kw.pop("no_progress"))
    try:
        _run(driver, spec, settings, kw)
    finally:
        summary = driver.close()
    click.echo(summary, err=True)
    sys.exit(1 if driver.tally.failed else 0)


def _run(driver: Driver, spec: BatchSpec, settings: Settings, kw: dict[str, object]) -> None:
    from stt_engine.batch.run_local import run_local

    address = kw.pop("ray_address")
    if address is None:
        run_local(driver, spec, settings)
        return
    from stt_engine.batch.run_ray import RayOptions, run_ray

    ray_options = RayOptions(
        address=str(address),
        workers=kw.pop("workers"),  # type: ignore[arg-type]
        gpus_per_worker=kw.pop("gpus_per_worker"),  # type: ignore[arg-type]
        cpus_per_worker=kw.pop("cpus_per_worker"),  # type: ignore[arg-type]
    )
    run_ray(driver, spec, settings, ray_options)
