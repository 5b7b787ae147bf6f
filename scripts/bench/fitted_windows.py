"""Seconds per clip with fitted encoder windows off and on (``fitted_windows`` off vs all).

Transcribes JFK and a few Korean clips spread over the corpus with two engines that differ
only in that setting, alternating per clip (the best of ``--repeat`` runs each), and prints
the seconds and the error rate of each. Any backend: a Hugging Face Whisper folder in
``--models-dir`` runs on PyTorch (``export_hf`` in tests/backends/whisper_export.py writes
the packaged base weights as one), a CTranslate2 one on CTranslate2.

    .venv/bin/python scripts/bench/fitted_windows.py --models-dir /tmp/models \
        --model whisper-base-hf --korean 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from stt_engine.bench.manifest import Clip, Selection, read_manifest
from stt_engine.bench.scoring import score
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions

AUDIO = Path(__file__).resolve().parents[2].parent / "shared" / "audio"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--korean", type=int, default=5, help="Korean clips (spread).")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    manifest = AUDIO / "manifest.jsonl"
    clips = read_manifest(manifest, Selection(contains=("en/whisper_jfk.flac",)))
    korean = Selection(language="ko", limit=args.korean, spread=True, max_duration=30)
    clips += read_manifest(manifest, korean)
    engines = {mode: _engine(args, mode) for mode in ("off", "all")}
    for engine in engines.values():  # load the model before timing
        engine.transcribe_file(AUDIO / "en/whisper_jfk.flac", TranscribeOptions())
    totals = dict.fromkeys(engines, 0.0)
    for clip in clips:
        line = [f"{clip.name:<48} {clip.duration:5.1f} s"]
        for mode, engine in engines.items():
            seconds, error = _timed(engine, clip, args.repeat)
            totals[mode] += seconds
            line.append(f"{mode}: {seconds:6.2f} s (error {error:.3f})")
        print("  ".join(line), flush=True)
    print("total: " + ", ".join(f"{mode} {seconds:.2f} s" for mode, seconds in totals.items()))


def _engine(args: argparse.Namespace, mode: str) -> Engine:
    return Engine(
        Settings(models_dir=args.models_dir, default_model=args.model, fitted_windows=mode)
    )


def _timed(engine: Engine, clip: Clip, repeat: int) -> tuple[float, float]:
    """The best of ``repeat`` runs' seconds, and the error rate (CER or WER) of the text."""
    audio = engine.decode(clip.path)
    best, text = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = engine.transcribe_all(audio, TranscribeOptions()).text
        best = min(best, time.perf_counter() - start)
    return best, score(clip.text, text, clip.language).primary.rate


if __name__ == "__main__":
    main()
