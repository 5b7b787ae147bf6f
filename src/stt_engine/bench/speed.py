"""``bench speed``: real-time factor, latency and memory of each system on the same audio.

Each clip is decoded once; every system transcribes the same array. With several systems the
order alternates per clip and per repeat (engine first, then raw first, ...), so neither side
always runs on a warmer cache. With ``repeat`` > 1 each system runs each clip that many times
and the clip's time is the median run, which damps other load on a shared machine (the
fastest runs give ``rtfx_best_runs``). RTFx = audio seconds / wall seconds (higher is faster).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.bench.manifest import Clip
from stt_engine.bench.memory import RssSampler, max_rss_mib, rss_mib
from stt_engine.bench.stats import latency_summary
from stt_engine.bench.systems import System
from stt_engine.engine import Engine
from stt_engine.options import TranscribeOptions

WARMUP_SECONDS = 5.0


def warm_up(systems: Sequence[System], audio: np.ndarray, options: TranscribeOptions) -> None:
    """One short untimed run per system, so first-call setup is not billed to a clip."""
    head = audio[: int(WARMUP_SECONDS * SAMPLE_RATE)]
    for system in systems:
        system.run(head, options)


def run_speed(
    engine: Engine,
    clips: Sequence[Clip],
    systems: Sequence[System],
    options: TranscribeOptions,
    progress: Callable[[Clip], None] | None = None,
    repeat: int = 1,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-clip timings and the summary per system."""
    rows = []
    for index, clip in enumerate(clips):
        decode_start = time.perf_counter()
        audio = engine.decode(clip.path)
        decode_seconds = time.perf_counter() - decode_start
        clip_options = replace(options, language=options.language or clip.language or None)
        row: dict[str, Any] = {
            "audio_filepath": clip.name,
            "duration": audio.size / SAMPLE_RATE,
            "decode_seconds": decode_seconds,
            "order": [],
        }
        runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in systems}
        for turn in range(repeat):
            order = list(systems) if (index + turn) % 2 == 0 else list(reversed(systems))
            row["order"].append([s.name for s in order])
            for system in order:
                runs[system.name].append(_timed(system, audio, clip_options))
        row["systems"] = {name: _median_run(timed) for name, timed in runs.items()}
        rows.append(row)
        if progress is not None:
            progress(clip)
    return rows, summarise(rows, systems)


def _timed(system: System, audio: np.ndarray, options: TranscribeOptions) -> dict[str, Any]:
    with RssSampler() as sampler:
        start = time.perf_counter()
        hypothesis = system.run(audio, options)
        seconds = time.perf_counter() - start
    duration = audio.size / SAMPLE_RATE
    return {
        "seconds": seconds,
        "rtfx": duration / seconds if seconds > 0 else None,
        "peak_rss_mib": sampler.peak_mib,
        "text": hypothesis.text,
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time, with every run's seconds alongside."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["runs_seconds"] = [run["seconds"] for run in runs]
    peaks = [run["peak_rss_mib"] for run in runs if run["peak_rss_mib"] is not None]
    middle["peak_rss_mib"] = max(peaks, default=None)
    return middle


def summarise(rows: list[dict[str, Any]], systems: Sequence[System]) -> dict[str, Any]:
    """Totals per system, memory figures, and the engine/raw RTFx ratio."""
    audio_seconds = sum(r["duration"] for r in rows)
    summary: dict[str, Any] = {"files": len(rows), "audio_seconds": audio_seconds}
    for system in systems:
        latencies = [r["systems"][system.name]["seconds"] for r in rows]
        wall = sum(latencies)
        peaks = [r["systems"][system.name]["peak_rss_mib"] for r in rows]
        best = sum(min(r["systems"][system.name]["runs_seconds"]) for r in rows)
        summary[system.name] = {
            "wall_seconds": wall,
            "rtfx": audio_seconds / wall if wall > 0 else None,
            "rtfx_best_runs": audio_seconds / best if best > 0 else None,
            "latency_seconds": latency_summary(latencies),
            "model_load_seconds": system.load_seconds,
            "peak_rss_sampled_mib": max((p for p in peaks if p is not None), default=None),
        }
    summary["memory"] = {"ru_maxrss_mib": max_rss_mib(), "rss_now_mib": rss_mib()}
    names = {s.name for s in systems}
    if {"engine", "raw"} <= names and summary["raw"]["rtfx"]:
        summary["engine_over_raw_rtfx"] = summary["engine"]["rtfx"] / summary["raw"]["rtfx"]
        summary["engine_over_raw_rtfx_best_runs"] = (
            summary["engine"]["rtfx_best_runs"] / summary["raw"]["rtfx_best_runs"]
        )
    return summary
