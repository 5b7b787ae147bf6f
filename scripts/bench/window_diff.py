"""Clips whose error count differs between two `stt-engine bench accuracy` results.

python scripts/bench/window_diff.py out/acc/ko-phone-off out/acc/ko-phone-all
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _rows(folder: str) -> dict[str, dict]:
    data = json.loads((Path(folder) / "accuracy.json").read_text())
    return {row["audio_filepath"]: row for row in data["files"]}


def _errors(row: dict) -> tuple[int, int, str]:
    engine = row["systems"]["engine"]
    metric = next(iter(engine["metrics"].values()))
    return metric["errors"], metric["deletions"], engine["hypothesis"]


def main() -> None:
    before, after = _rows(sys.argv[1]), _rows(sys.argv[2])
    for path, row in after.items():
        (a, da, ha), (b, db, hb) = _errors(before[path]), _errors(row)
        if a != b:
            print(f"{path} {row['duration']:.1f}s errors {a}->{b} deletions {da}->{db}")
            print(f"   ref {row['reference']}\n   A   {ha}\n   B   {hb}")


if __name__ == "__main__":
    main()
