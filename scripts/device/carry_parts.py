"""The payload as one xz archive cut into call-sized slices, and the calls that carry them.

Each call carries one folder ``.device/call-K`` holding slice K and ``parts.sha256`` (the sums
of every slice and of the whole archive, so any call can tell which slices it still lacks).
Every call but the last lays its slice down (``stage.sh``); the last one lays down its own,
joins them, and runs the proof (``proof.sh``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path

ARCHIVE = "payload.tar.xz"
CARRY_ROOT = ".device"  # where the call folders are in the checkout, here and on the device
STAGE_TIMEOUT_S = 120
PROOF_TIMEOUT_S = 330  # proof.sh's own limit is 240 s; the rest is slack for the stage step
PROOF = "bash scripts/device/proof.sh --device cuda"


def make_archive(payload: Path, archive: Path, preset: int) -> Path:
    """``payload``'s files, in name order, as a tar compressed with xz at ``preset``."""
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w:xz", preset=preset) as tar:  # type: ignore[call-overload]
        for path in sorted(payload.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(payload).as_posix(), recursive=False)
    return partial.replace(archive)


def cut_archive(archive: Path, out: Path, size: int) -> list[Path]:
    """``out/call-K/payload.tar.xz.part-KK`` for K = 1..N, each at most ``size`` bytes."""
    for old in out.glob("call-*"):
        shutil.rmtree(old)
    parts: list[Path] = []
    with archive.open("rb") as source:
        while chunk := source.read(size):
            index = len(parts) + 1
            folder = out / f"call-{index}"
            folder.mkdir()
            part = folder / f"{ARCHIVE}.part-{index:02d}"
            part.write_bytes(chunk)
            parts.append(part)
    sums = [f"{file_sha256(p)}  {p.name}\n" for p in parts]
    sums.append(f"{file_sha256(archive)}  {ARCHIVE}\n")
    for part in parts:
        (part.parent / "parts.sha256").write_text("".join(sums), encoding="utf-8")
    return parts


def call_plan(parts: list[Path]) -> list[dict[str, object]]:
    """The run-tool calls, in order: ``carry``, ``command``, ``timeout_s``."""
    calls: list[dict[str, object]] = []
    for part in parts:
        carried = f"{CARRY_ROOT}/{part.parent.name}"
        command = f"bash scripts/device/stage.sh {carried}"
        last = part == parts[-1]
        if last:
            command += f" && {PROOF}"
        timeout = PROOF_TIMEOUT_S if last else STAGE_TIMEOUT_S
        calls.append({"carry": [carried], "command": command, "timeout_s": timeout})
    return calls


def write_calls(out: Path, parts: list[Path]) -> Path:
    target = out / "calls.json"
    target.write_text(json.dumps(call_plan(parts), indent=2) + "\n", encoding="utf-8")
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()
