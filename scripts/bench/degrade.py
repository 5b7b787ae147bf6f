"""Degraded copies of manifest clips (pink noise at 10, 5, 0 dB SNR; G.711 phone line).

Selects clips the way `stt-engine bench accuracy` does (--limit spreads evenly over the
selection, like --spread), writes FLAC copies and one manifest per condition, e.g.
out/degraded/snr10/manifest.jsonl, which `stt-engine bench accuracy --manifest` reads as is.
See stt_engine.bench.degrade for what each condition does.

    .venv/bin/python scripts/bench/degrade.py --lang ko \
        --filter ko/emotiontts/Main/main/lmy --limit 30
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from stt_engine.bench.degrade import CONDITIONS, PHONE_RATE, select_rows, write_conditions
from stt_engine.bench.manifest import Selection

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--manifest", type=Path, default=ROOT.parent / "shared" / "audio" / "manifest.jsonl"
    )
    parser.add_argument("--lang", default=None, help="Keep clips of this language.")
    parser.add_argument(
        "--filter",
        dest="contains",
        action="append",
        default=[],
        help="Keep clips whose audio_filepath contains this text (repeat: any of them).",
    )
    parser.add_argument("--limit", type=int, default=None, help="N clips spread evenly.")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "degraded")
    parser.add_argument(
        "--condition",
        dest="conditions",
        action="append",
        choices=CONDITIONS,
        help="Condition to write (repeat; default: all).",
    )
    parser.add_argument("--seed", type=int, default=0, help="Noise seed.")
    parser.add_argument(
        "--phone-rate", type=int, choices=(8000, 16000), default=PHONE_RATE,
        help="Sample rate of the phone condition's files.",
    )  # fmt: skip
    args = parser.parse_args()
    selection = Selection(
        language=args.lang, contains=tuple(args.contains), limit=args.limit, spread=True
    )
    sources = select_rows(args.manifest, selection)
    started = time.perf_counter()
    manifests = write_conditions(
        sources,
        args.out,
        args.conditions or CONDITIONS,
        seed=args.seed,
        phone_rate=args.phone_rate,
    )
    print(f"{len(sources)} clips, {time.perf_counter() - started:.1f} s")
    for condition, path in manifests.items():
        print(f"{condition}: {path}")


if __name__ == "__main__":
    main()
