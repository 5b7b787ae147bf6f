"""``bench accuracy``: transcribe manifest clips with each system and score them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from typing import Any

from stt_engine.bench.manifest import Clip
from stt_engine.bench.normalise import normaliser_for
from stt_engine.bench.scoring import Count, Score, aggregate, score
from stt_engine.bench.systems import System
from stt_engine.engine import Engine
from stt_engine.options import TranscribeOptions

Progress = Callable[[Clip], None]


def run_accuracy(
    engine: Engine,
    clips: Sequence[Clip],
    systems: Sequence[System],
    options: TranscribeOptions,
    progress: Progress | None = None,
    concurrency: int = 1,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-file rows and the summary. ``options.language`` None: each clip's manifest language
    (detected when the manifest has none). ``concurrency`` clips are transcribed at once."""

    def one(clip: Clip) -> dict[str, Any]:
        row = _score_clip(engine, clip, systems, options)
        if progress is not None:
            progress(clip)
        return row

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench") as pool:
        rows = list(pool.map(one, clips))
    return rows, summarise(rows, [s.name for s in systems])


def _score_clip(
    engine: Engine, clip: Clip, systems: Sequence[System], options: TranscribeOptions
) -> dict[str, Any]:
    audio = engine.decode(clip.path)
    language = options.language or clip.language or None
    clip_options = replace(options, language=language)
    row: dict[str, Any] = {
        "audio_filepath": clip.name,
        "duration": clip.duration,
        "language": language,
        "reference": clip.text,
        "systems": {},
    }
    for system in systems:
        hypothesis = system.run(audio, clip_options)
        result = score(clip.text, hypothesis.text, language or hypothesis.language)
        row["systems"][system.name] = _system_row(hypothesis.text, hypothesis.language, result)
    return row


def _system_row(text: str, detected: str, result: Score) -> dict[str, Any]:
    return {
        "hypothesis": text,
        "detected_language": detected,
        "scored_as": result.language,
        "normaliser": result.normaliser,
        "normalised_reference": result.reference,
        "normalised_hypothesis": result.hypothesis,
        "metrics": {
            c.metric: {**asdict(c), "errors": c.errors, "rate": c.rate} for c in result.counts
        },
    }


def _counts(rows: list[dict[str, Any]], system: str) -> list[Count]:
    counts = []
    for row in rows:
        for metric in row["systems"][system]["metrics"].values():
            counts.append(
                Count(
                    metric["metric"],
                    metric["substitutions"],
                    metric["deletions"],
                    metric["insertions"],
                    metric["reference_units"],
                )
            )
    return counts


def _figures(counts: list[Count]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for metric, agg in sorted(aggregate(counts).items()):
        figures[metric] = agg.rate
        figures[f"{metric}_mean_per_file"] = agg.mean_per_file
        figures[f"{metric}_errors"] = agg.errors
        figures[f"{metric}_reference_units"] = agg.reference_units
        figures[f"{metric}_substitutions"] = agg.substitutions
        figures[f"{metric}_deletions"] = agg.deletions
        figures[f"{metric}_insertions"] = agg.insertions
        figures[f"{metric}_files"] = agg.files
    return figures


def summarise(rows: list[dict[str, Any]], systems: list[str]) -> dict[str, Any]:
    """Corpus figures per system (overall and by language), the normalisers, and the gaps."""
    summary: dict[str, Any] = {
        "files": len(rows),
        "audio_seconds": sum(r["duration"] for r in rows),
    }
    languages = sorted({r["systems"][systems[0]]["scored_as"] for r in rows})
    summary["normalisers"] = {lang: normaliser_for(lang) for lang in languages}
    for system in systems:
        figures = _figures(_counts(rows, system))
        by_language = {}
        for lang in languages:
            subset = [r for r in rows if r["systems"][system]["scored_as"] == lang]
            if subset:
                by_language[lang] = _figures(_counts(subset, system))
        figures["by_language"] = by_language
        summary[system] = figures
    if "raw" in systems:
        summary["engine_minus_raw"] = {
            metric: summary["engine"][metric] - summary["raw"][metric]
            for metric in ("cer", "wer", "swer")
            if metric in summary["engine"] and metric in summary["raw"]
        }
    return summary


def rescore(result: dict[str, Any]) -> dict[str, Any]:
    """A saved accuracy result scored again with the current normalisers (no transcribing)."""
    rows = result["files"]
    systems = list(rows[0]["systems"]) if rows else []
    for row in rows:
        for name, old in row["systems"].items():
            language = row["language"] or old["detected_language"]
            scored = score(row["reference"], old["hypothesis"], language)
            row["systems"][name] = _system_row(old["hypothesis"], old["detected_language"], scored)
    result["summary"] = summarise(rows, systems)
    return result
