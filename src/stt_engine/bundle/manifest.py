"""A bundle's manifest: every file with its size and sha256, plus target, versions, build time.

``manifest.json`` sits at the bundle's root and lists every other file by its POSIX path
relative to that root (``wheels/numpy-....whl``, ``models/base/model.bin``). ``SHA256SUMS``
holds the same checksums in the format ``sha256sum -c`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from stt_engine.errors import BundleIntegrityError
from stt_engine.files import digest_stream

MANIFEST_NAME = "manifest.json"
SUMS_NAME = "SHA256SUMS"
FORMAT = 1

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FileEntry:
    size: int
    sha256: str


def hash_stream(handle: IO[bytes], progress: Progress | None = None) -> FileEntry:
    """Size and sha256 of everything left in the stream."""
    size = 0

    def count(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)
        if progress is not None:
            progress(len(chunk))

    digest = digest_stream(handle, each=count)
    return FileEntry(size, digest.hexdigest())


def hash_file(path: Path, progress: Progress | None = None) -> FileEntry:
    with path.open("rb") as handle:
        return hash_stream(handle, progress)


def bundle_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX name, path) of every file under root except the manifest, sorted."""
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if name != MANIFEST_NAME and (path.is_file() or path.is_symlink()):
            yield name, path


def scan(root: Path, progress: Progress | None = None) -> dict[str, FileEntry]:
    return {name: hash_file(path, progress) for name, path in bundle_files(root)}


def write_sums(root: Path, entries: dict[str, FileEntry]) -> Path:
    lines = [f"{entry.sha256}  {name}\n" for name, entry in sorted(entries.items())]
    target = root / SUMS_NAME
    target.write_text("".join(lines), encoding="utf-8")
    return target


def write_manifest(root: Path, meta: dict[str, Any], progress: Progress | None = None) -> Path:
    """Write SHA256SUMS and manifest.json for everything under root; returns the manifest."""
    (root / SUMS_NAME).unlink(missing_ok=True)
    entries = scan(root, progress)
    entries[SUMS_NAME] = hash_file(write_sums(root, entries))
    files = {name: {"size": e.size, "sha256": e.sha256} for name, e in entries.items()}
    document = {"format": FORMAT, **meta, "files": files}
    target = root / MANIFEST_NAME
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return target


def parse_manifest(text: bytes | str, origin: str) -> dict[str, Any]:
    """The manifest's data, or BundleIntegrityError naming what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BundleIntegrityError(f"{origin}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise BundleIntegrityError(f"{origin}: has no 'files' table")
    if data.get("format") != FORMAT:
        raise BundleIntegrityError(
            f"{origin}: manifest format {data.get('format')!r}, this stt-engine reads {FORMAT}",
            hint="verify the bundle with the stt-engine version that built it",
        )
    return data


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST_NAME
    if not path.is_file():
        raise BundleIntegrityError(
            f"{path}: missing", hint="the folder is not an unpacked stt-engine bundle"
        )
    return parse_manifest(path.read_bytes(), str(path))


def expected_entries(manifest: dict[str, Any]) -> dict[str, FileEntry]:
    files: dict[str, dict[str, Any]] = manifest["files"]
    return {name: FileEntry(int(f["size"]), str(f["sha256"])) for name, f in files.items()}
