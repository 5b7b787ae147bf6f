"""Seconds and error rate of short clips under alternative fitted-window rules.

The rule (``stt_engine.engine.contract.fitted_frames``) is 1.5x the speech plus a second,
rounded up to a step, at least a floor. For each ``FLOOR/STEP`` given (seconds), the engine
transcribes every selected clip one at a time (best of ``--repeat``) with that rule, and
prints the total seconds, the corpus error rate (CER for Korean, WER otherwise), the clips
whose text repeats itself (compression ratio over 2.4) and the windows used; ``off`` (the
full 30 s) runs too. Rules alternate per clip, so load on the machine hits them alike.

    .venv/bin/python scripts/bench/window_floor.py --lang ko --max-duration 4 --limit 40 \
        --rule 10/5 --rule 7.5/2.5 --rule 5/2.5
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from stt_engine.bench.manifest import Selection, read_manifest
from stt_engine.bench.scoring import score
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.engine import contract as rule
from stt_engine.engine.tokens import compression_ratio

AUDIO = Path(__file__).resolve().parents[2].parent / "shared" / "audio"


def main() -> None:
    args = _arguments()
    selection = Selection(
        language=args.lang, limit=args.limit, spread=True, max_duration=args.max_duration
    )
    clips = read_manifest(args.manifest, selection)
    engines = {"off": Engine(Settings(fitted_windows="off"))}
    fitted = Engine(Settings(fitted_windows="all"))
    engines.update({name: fitted for name in args.rule})
    options = TranscribeOptions(language=args.lang)
    for engine in {id(e): e for e in engines.values()}.values():  # load before timing
        engine.transcribe_all(engine.decode(clips[0].path), options)
    seconds, errors, repeats = Counter[str](), Counter[str](), Counter[str]()
    windows: dict[str, Counter[float]] = {name: Counter() for name in engines}
    units = 0
    for clip in clips:
        audio = fitted.decode(clip.path)
        for name, engine in engines.items():
            _use(name)
            text, took = _timed(engine, audio, options, args.repeat)
            seconds[name] += took
            counted = score(clip.text, text, clip.language).primary
            errors[name] += counted.errors
            repeats[name] += compression_ratio(text) > 2.4
            windows[name][rule.fitted_frames(clip.duration) / 100 if name != "off" else 30] += 1
        units += counted.reference_units
    print(f"{len(clips)} clips, {sum(c.duration for c in clips):.1f} s of audio")
    for name in engines:
        used = ", ".join(f"{w:g} s x{n}" for w, n in sorted(windows[name].items()))
        print(
            f"{name:>8}: {seconds[name]:7.2f} s  error {errors[name] / units:.4f}  "
            f"repeating {repeats[name]}  windows {used}"
        )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=AUDIO / "manifest.jsonl")
    parser.add_argument("--lang", required=True)
    parser.add_argument("--limit", type=int, default=None, help="N clips spread evenly.")
    parser.add_argument("--max-duration", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rule", action="append", required=True, help="FLOOR/STEP seconds.")
    return parser.parse_args()


def _use(name: str) -> None:
    """Set the fitted-window rule named FLOOR/STEP (``off`` leaves it as it is)."""
    if name != "off":
        floor, step = (float(part) for part in name.split("/"))
        rule._FITTED_MIN_SECONDS, rule._FITTED_STEP_SECONDS = floor, step


def _timed(
    engine: Engine, audio: object, options: TranscribeOptions, repeat: int
) -> tuple[str, float]:
    best, text = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = engine.transcribe_all(audio, options).text  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - start)
    return text, best


if __name__ == "__main__":
    main()
