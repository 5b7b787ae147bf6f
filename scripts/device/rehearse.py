#!/usr/bin/env python3
"""The CPU rehearsal: make the calls of ``calls.json`` here, as the run tool makes them there.

Each call gets what the GPU machine gets: a fresh copy of the working tree (tracked and
untracked-not-ignored files) with the carried paths put in it, an empty ``$OUT``, and the
command run by bash in the copy's root. The only change is ``--device cuda`` -> ``--device
cpu``. Between the calls ``$STT_DEVICE_STAGE`` lasts, as /tmp/stt-device does while the
machine stays warm; ``python3`` is this Python (PATH), as it is the image's Python there.
Every call must fit the run tool's 64 MiB (the tree and the carried paths together).

    python scripts/device/rehearse.py [--calls .device/calls.json] [--work DIR]

Each call's ``$OUT`` is kept as ``WORK/out-K``; the proof's log is ``WORK/out-N/proof.log``.
Exit status: the first failing call's, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALL_LIMIT = 64 * 2**20
CPU_SLOWER = 4  # a call's time limit here, as a multiple of the GPU call's


def tree_files(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=root, check=True, capture_output=True,
    ).stdout.split(b"\0")  # fmt: skip
    return [name.decode() for name in listed if name and (root / name.decode()).is_file()]


def checkout(files: list[str], carry: list[str], carry_from: Path, target: Path) -> int:
    """Copy the tree and the carried folders into ``target``; the bytes that would travel."""
    sent = 0
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination)
        sent += destination.stat().st_size
    for path in carry:
        source = carry_from / Path(path).name
        shutil.copytree(source, target / path)
        sent += sum(p.stat().st_size for p in (target / path).rglob("*") if p.is_file())
    return sent


def run_call(index: int, call: dict, carry_from: Path, work: Path, env: dict[str, str]) -> int:
    command = str(call["command"]).replace("--device cuda", "--device cpu")
    tree = work / f"tree-{index}"
    out = work / f"out-{index}"
    out.mkdir()
    sent = checkout(tree_files(ROOT), list(call["carry"]), carry_from, tree)
    print(f"\n##### call {index}: {command}\n##### carry {call['carry']}, {sent / 2**20:.1f} MiB "
          f"sent (limit {CALL_LIMIT / 2**20:.0f})", flush=True)  # fmt: skip
    if sent > CALL_LIMIT:
        print(f"##### call {index} would not travel: over the run tool's limit", flush=True)
        return 70
    limit = int(call["timeout_s"]) * CPU_SLOWER
    try:
        status = subprocess.run(["bash", "-c", command], cwd=tree, env={**env, "OUT": str(out)},
                                timeout=limit).returncode  # fmt: skip
    except subprocess.TimeoutExpired:
        status = 124
    shutil.rmtree(tree, ignore_errors=True)
    print(f"##### call {index} exit {status}; its OUT is {out}", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=Path, default=ROOT / ".device" / "calls.json")
    parser.add_argument("--work", type=Path, default=None, help="default: a new temp folder")
    args = parser.parse_args(argv)
    calls = json.loads(args.calls.read_text("utf-8"))
    work = args.work or Path(tempfile.mkdtemp(prefix="stt-rehearsal-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, STT_DEVICE_STAGE=str(work / "stage"), PYTHONUNBUFFERED="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for index, call in enumerate(calls, start=1):
        status = run_call(index, call, args.calls.parent, work, env)
        if status != 0:
            return status
    print(f"\nrehearsal done: {work / f'out-{len(calls)}' / 'proof.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
