"""``stt-engine bench``: accuracy, speed and load, measured the same way every time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stt_engine.cli.flags import engine_options, settings_overrides, table_options, table_values

F = TypeVar("F", bound=Callable[..., Any])


def selection_options(func: F) -> F:
    """--manifest, --lang, --filter, --limit, --spread, --max-duration, --text-field."""
    options = [
        click.option(
            "--spread",
            is_flag=True,
            help="With --limit: take the clips evenly spaced over the whole selection.",
        ),
        click.option(
            "--text-field",
            default="text",
            show_default=True,
            help="Manifest field holding the reference (e.g. text_written).",
        ),
        click.option(
            "--max-duration",
            type=click.FloatRange(min=0),
            default=None,
            help="Skip clips longer than this many seconds.",
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            default=None,
            help="Use at most this many clips (manifest order).",
        ),
        click.option(
            "--filter",
            "contains",
            multiple=True,
            help="Keep clips whose audio_filepath contains this text (repeat: any of them).",
        ),
        click.option(
            "--lang", default=None, help="Keep clips of this language and transcribe with it."
        ),
        click.option(
            "--manifest",
            required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="NeMo-style JSON-lines manifest.",
        ),
    ]
    for option in options:
        func = option(func)
    return func


def output_options(func: F) -> F:
    func = click.option("--no-progress", is_flag=True, help="No progress bar.")(func)
    func = click.option("--plot", is_flag=True, help="Also write PNG charts.")(func)
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("bench-out"),
        show_default=True,
        help="Folder for the JSON result (and charts).",
    )(func)


@click.group()
def bench() -> None:
    """Measure accuracy, speed, load and diarization."""


def _add_diarization() -> None:
    from stt_engine.cli.bench_diarization import diarization

    bench.add_command(diarization)


_add_diarization()


def _clips(kw: dict[str, Any]) -> list[Any]:
    from stt_engine.bench.manifest import Selection, read_manifest

    keys = ("contains", "limit", "spread", "max_duration", "text_field")
    selection = Selection(language=kw["lang"], **{k: kw[k] for k in keys})
    return read_manifest(kw["manifest"], selection)


def _finish(kw: dict[str, Any], result: dict[str, Any], table: str, chart: Any) -> None:
    """Write <kind>.json (and <kind>.png with --plot), print the table and where they went."""
    from stt_engine.bench.results import write_result

    path = write_result(result, kw["out"], result["kind"])
    click.echo(table)
    if kw["plot"]:
        click.echo(f"chart: {chart(kw['out'] / (result['kind'] + '.png'))}")
    click.echo(f"result: {path}")


def _engine_and_clips(kw: dict[str, Any]) -> tuple[Any, list[Any], Any]:
    from stt_engine.config import load_settings
    from stt_engine.engine import Engine
    from stt_engine.options import decode_options

    clips = _clips(kw)
    overrides = settings_overrides(
        device=kw["device"],
        backend=kw["backend"],
        compute_type=kw["compute_type"],
        models_dir=kw["models_dir"],
    )
    engine = Engine(load_settings(**overrides))
    values = table_values(kw, "bench")  # both systems decode with these
    options = decode_options({**values, "language": kw["lang"], "best_of": values["beam_size"]})
    return engine, clips, options


def _bar(clips: list[Any], unit: str, disable: bool) -> Any:
    from tqdm import tqdm

    total = sum(c.duration for c in clips)
    return tqdm(total=total, unit=unit, disable=disable, dynamic_ncols=True)


def _header(kind: str, engine: Any, kw: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    from stt_engine.bench.results import envelope

    device = engine.device
    return envelope(
        kind,
        {
            **extra,
            "manifest": str(kw["manifest"]),
            "lang": kw["lang"],
            "filter": list(kw["contains"]),
            "limit": kw["limit"],
            "spread": kw["spread"],
            "text_field": kw["text_field"],
        },
        gpu=device.name if device.device == "cuda" else None,
    )


@bench.command()
@selection_options
@engine_options
@table_options("bench")
@click.option(
    "--compare-raw",
    is_flag=True,
    help="Also run raw faster-whisper with identical settings on the same files.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Clips transcribed at once (the engine batches across them).",
)
@click.option(
    "--url",
    "urls",
    multiple=True,
    help="Score these servers instead of the engine in this process, each sent the clips "
    "as a client would (only the language set; repeat for a side-by-side comparison).",
)
@click.option("--api-key", default=None, envvar="OPENAI_API_KEY", help="Bearer key for --url.")
@output_options
def accuracy(**kw: Any) -> None:
    """Transcribe manifest clips and score them (CER for ko/ja/zh, WER otherwise)."""
    from stt_engine.bench import plots
    from stt_engine.bench.accuracy import run_accuracy
    from stt_engine.bench.tables import accuracy_table

    engine, clips, options = _engine_and_clips(kw)
    systems, record = _accuracy_systems(engine, options, kw)
    result = _header("accuracy", engine, kw, record)
    with _bar(clips, "audio s", kw["no_progress"]) as bar:
        rows, summary = run_accuracy(
            engine,
            clips,
            systems,
            options,
            progress=lambda clip: bar.update(clip.duration),
            concurrency=kw["concurrency"],
        )
    result["settings"]["concurrency"] = kw["concurrency"]
    result.update(summary=summary, files=rows)
    table = accuracy_table(summary, [s.name for s in systems])
    _finish(kw, result, table, lambda path: plots.accuracy_chart(rows, path))


def _accuracy_systems(
    engine: Any, options: Any, kw: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The systems ``bench accuracy`` scores, and the settings record of its result."""
    from stt_engine.bench.systems import ServerSystem, build_systems, settings_record

    if not kw["urls"]:
        systems = build_systems(engine, kw["model"], kw["compare_raw"])
        return systems, settings_record(engine, kw["model"], options)
    if kw["compare_raw"]:
        raise click.UsageError("--compare-raw runs in this process: leave it out with --url")
    servers = [ServerSystem(url, kw["api_key"], kw["model"] or "whisper-1") for url in kw["urls"]]
    return servers, {"servers": list(kw["urls"]), "language": options.language}


@bench.command()
@selection_options
@engine_options
@table_options("bench")
@click.option(
    "--compare-raw",
    is_flag=True,
    help="Alternate engine and raw faster-whisper per file, identical settings.",
)
@click.option(
    "--warmup/--no-warmup",
    default=True,
    show_default=True,
    help="One untimed 5 s run per system before timing.",
)
@click.option("--repeat", type=click.IntRange(1, 50), default=1, show_default=True,
              help="Runs per file and system; the median run counts.")  # fmt: skip
@output_options
def speed(**kw: Any) -> None:
    """RTFx, per-file latency, peak memory and model load time."""
    from stt_engine.bench import plots
    from stt_engine.bench.memory import rss_mib
    from stt_engine.bench.speed import run_speed, warm_up
    from stt_engine.bench.systems import build_systems, settings_record
    from stt_engine.bench.tables import speed_table

    engine, clips, options = _engine_and_clips(kw)
    rss_start = rss_mib()
    systems = build_systems(engine, kw["model"], kw["compare_raw"])
    rss_loaded = rss_mib()
    record = {**settings_record(engine, kw["model"], options), "repeat": kw["repeat"]}
    result = _header("speed", engine, kw, record)
    if kw["warmup"]:
        warm_up(systems, engine.decode(clips[0].path), options)
    with _bar(clips, "audio s", kw["no_progress"]) as bar:
        rows, summary = run_speed(
            engine, clips, systems, options, lambda clip: bar.update(clip.duration), kw["repeat"]
        )
    summary["memory"].update(rss_before_load_mib=rss_start, rss_after_load_mib=rss_loaded)
    result.update(summary=summary, files=rows)
    table = speed_table(summary, [s.name for s in systems])
    _finish(kw, result, table, lambda path: plots.speed_chart(rows, path))


@bench.command()
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
def rescore(result_file: Path, **kw: Any) -> None:
    """Score a saved accuracy.json again with the current normalisers (no transcribing)."""
    import json
    import time

    from stt_engine.bench import plots
    from stt_engine.bench.accuracy import rescore as rescore_result
    from stt_engine.bench.tables import accuracy_table

    result = rescore_result(json.loads(result_file.read_text("utf-8")))
    result["settings"]["rescored"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    rows = result["files"]
    table = accuracy_table(result["summary"], list(rows[0]["systems"]))
    _finish(kw, result, table, lambda path: plots.accuracy_chart(rows, path))


def _levels(value: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        levels = ()
    if not levels or min(levels) < 1 or max(levels) > 1024:
        raise click.BadParameter("a comma-separated list of client counts, e.g. 1,2,4,8")
    return levels


@bench.command()
@click.option(
    "--url",
    "urls",
    multiple=True,
    required=True,
    help="Server base URL (repeat for a side-by-side comparison).",
)
@selection_options
@click.option(
    "--concurrency",
    default="1,2,4,8",
    show_default=True,
    help="Comma-separated numbers of concurrent clients.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds per concurrency level and URL.",
)
@click.option("--model", default="whisper-1", show_default=True, help="Model field sent.")
@click.option("--api-key", default=None, envvar="OPENAI_API_KEY", help="Bearer key.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds one request may take.",
)
@output_options
def load(**kw: Any) -> None:
    """Throughput and latency of an OpenAI-compatible server under concurrent clients."""
    import asyncio

    from tqdm import tqdm

    from stt_engine.bench import plots
    from stt_engine.bench.load import LoadPlan, describe_servers, payloads, run_load
    from stt_engine.bench.results import envelope
    from stt_engine.bench.tables import load_table

    clips = _clips(kw)
    plan = LoadPlan(urls=tuple(kw["urls"]), concurrency=_levels(kw["concurrency"]),
                    duration=kw["duration"], model=kw["model"], api_key=kw["api_key"],
                    language=kw["lang"], timeout=kw["timeout"])  # fmt: skip
    settings = {**plan.record(), "manifest": str(kw["manifest"]), "filter": list(kw["contains"]),
                "clips": len(clips)}  # fmt: skip
    steps = len(plan.urls) * len(plan.concurrency)
    with tqdm(total=steps, unit="level", disable=kw["no_progress"]) as bar:
        run = asyncio.run(run_load(plan, payloads(clips), lambda *_: bar.update(1)))
    levels = run.levels
    result = envelope("load", settings)
    result["machine"]["role"] = "client (the load generator; the server may be elsewhere)"
    result["servers"] = asyncio.run(describe_servers(plan))
    result["levels"] = levels
    result["solo_seconds"] = run.solo_seconds
    table = load_table(levels, run.solo_seconds)
    _finish(kw, result, table, lambda path: plots.load_chart(levels, path))
