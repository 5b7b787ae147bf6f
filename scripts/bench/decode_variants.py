"""Error rate of the same clips under several decoding variants, in one process.

Loads one engine (settings from ``STT_ENGINE_*`` variables, e.g.
``STT_ENGINE_FITTED_WINDOWS=all``), picks ``--per-set`` clips spread over each ``--set``
(a part of ``audio_filepath``), transcribes every clip with every variant (``--concurrency``
clips at once, through the engine's batcher) and prints CER/WER per set and variant, with the
clips where the temperature fallback ran. A variant is a name and TranscribeOptions fields:

    flock -x /work/bench.lock env STT_ENGINE_FITTED_WINDOWS=all \
        .venv/bin/python scripts/bench/decode_variants.py --lang ko \
        --set ko/emotiontts/Main/main/lmy --set ko/emotiontts/Emotional --per-set 30 \
        --variant default --variant 'greedy-t0:temperature=0.0' --out /tmp/variants.json
"""

from __future__ import annotations

import argparse
import ast
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from stt_engine.bench.manifest import Clip, Selection, read_manifest
from stt_engine.bench.scoring import aggregate, score
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions

AUDIO = Path(__file__).resolve().parents[2].parent / "shared" / "audio"


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``name:field=value,field=value`` (values as Python literals, fields apart by ";"; a float for
    temperature)."""
    name, _, rest = text.partition(":")
    fields: dict[str, Any] = {}
    for part in filter(None, rest.split(";")):
        key, _, value = part.partition("=")
        parsed = ast.literal_eval(value)
        if key == "temperature" and not isinstance(parsed, tuple):
            parsed = (float(parsed),)
        fields[key.strip()] = parsed
    return name, fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=AUDIO / "manifest.jsonl")
    parser.add_argument("--lang", required=True)
    parser.add_argument("--set", dest="sets", action="append", default=[])
    parser.add_argument("--per-set", type=int, default=30)
    parser.add_argument("--max-duration", type=float, default=12.0)
    parser.add_argument("--variant", dest="variants", action="append", default=[])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sets = {name: _clips(args, name) for name in (args.sets or [""])}
    variants = dict(parse_variant(v) for v in (args.variants or ["default"]))
    engine = Engine(Settings())
    engine.load()
    rows: list[dict[str, Any]] = []
    for name, fields in variants.items():
        options = TranscribeOptions(language=args.lang, **fields)
        for set_name, clips in sets.items():
            with ThreadPoolExecutor(args.concurrency) as pool:
                done = list(pool.map(_one, [engine] * len(clips), clips, [options] * len(clips)))
            rows.extend({"variant": name, "set": set_name, **row} for row in done)
            _print(name, set_name, done)
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def _clips(args: argparse.Namespace, part: str) -> list[Clip]:
    selection = Selection(
        language=args.lang,
        contains=(part,) if part else (),
        limit=args.per_set,
        spread=True,
        max_duration=args.max_duration,
    )
    return read_manifest(args.manifest, selection)


def _one(engine: Engine, clip: Clip, options: TranscribeOptions) -> dict[str, Any]:
    transcript = engine.transcribe_all(engine.decode(clip.path), options)
    result = score(clip.text, transcript.text, options.language or transcript.language)
    count = result.primary
    temps = sorted({s.temperature for s in transcript.segments})
    return {
        "clip": clip.name,
        "text": transcript.text,
        "metric": count.metric,
        "counts": [count.substitutions, count.deletions, count.insertions, count.reference_units],
        "temperatures": temps,
    }


def _print(variant: str, set_name: str, rows: list[dict[str, Any]]) -> None:
    from stt_engine.bench.scoring import Count

    counts = [Count(r["metric"], *r["counts"]) for r in rows]
    agg = next(iter(aggregate(counts).values()))
    fallback = sum(1 for r in rows if any(t > 0 for t in r["temperatures"]))
    print(
        f"{variant:<24} {set_name or 'all':<30} {agg.rate:.4f} "
        f"(S {agg.substitutions} D {agg.deletions} I {agg.insertions} / {agg.reference_units})"
        f" fallback {fallback}/{len(rows)}",
        flush=True,
    )


if __name__ == "__main__":
    main()
