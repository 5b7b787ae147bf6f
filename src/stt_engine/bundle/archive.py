"""Pack a bundle folder into one .tar.gz, and read an archive back one member at a time.

Members are stored under one top folder named after the archive (``stt-engine-bundle-0.2.0-cpu/``)
with ``manifest.json`` first. Ownership is normalised to root so the archive unpacks the same
on every machine; file modes (the executable bit of install.sh) are kept.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from stt_engine.bundle.manifest import MANIFEST_NAME, FileEntry, Progress, bundle_files, hash_stream

SUFFIX = ".tar.gz"
# Wheels and weights are already compressed or barely compressible: a light level packs fast.
_LEVEL = 3
_READ_ERRORS = (EOFError, tarfile.TarError, zlib.error, OSError)


class _CountingReader:
    """A file wrapper that reports how many bytes were read."""

    def __init__(self, handle: IO[bytes], progress: Progress | None):
        self._handle = handle
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        if self._progress is not None:
            self._progress(len(data))
        return data


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def pack(root: Path, archive: Path, progress: Progress | None = None) -> Path:
    """Write root (manifest first, then every file) into archive under the archive's stem."""
    top = archive.name.removesuffix(SUFFIX)
    names = [MANIFEST_NAME, *(name for name, _ in bundle_files(root))]
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=_LEVEL) as tar:
        for name in names:
            path = root / name
            info = _normalise(tar.gettarinfo(str(path), arcname=f"{top}/{name}"))
            if info.isfile():
                with path.open("rb") as handle:
                    tar.addfile(info, _CountingReader(handle, progress))
            else:
                tar.addfile(info)
    partial.replace(archive)
    return archive


@dataclass(frozen=True, slots=True)
class Member:
    """One archive member as read: its name below the top folder and what was found."""

    name: str
    entry: FileEntry | None  # None for a member that is not a regular file
    data: bytes | None = None  # kept for manifest.json only
    error: str | None = None  # why the member (or the archive) could not be read


def read_members(archive: Path, progress: Progress | None = None) -> Iterator[Member]:
    """Hash every member in one streaming pass; a truncated or corrupt archive ends with an
    error Member naming where reading stopped."""
    last = "(start of archive)"
    try:
        with tarfile.open(archive, "r|gz") as tar:
            for info in tar:
                name = info.name.partition("/")[2] if "/" in info.name else info.name
                last = name
                if info.isdir():
                    continue
                if not info.isfile():
                    yield Member(name, None)
                    continue
                yield _read_member(tar, info, name, progress)
    except _READ_ERRORS as exc:
        yield Member(last, None, error=f"archive is truncated or corrupt after {last} ({exc})")


def _read_member(
    tar: tarfile.TarFile, info: tarfile.TarInfo, name: str, progress: Progress | None
) -> Member:
    handle = tar.extractfile(info)
    assert handle is not None
    if name == MANIFEST_NAME:
        data = handle.read()
        return Member(name, FileEntry(len(data), ""), data=data)
    try:
        return Member(name, hash_stream(handle, progress))
    except _READ_ERRORS as exc:
        return Member(name, None, error=f"{name}: truncated or corrupt inside the archive ({exc})")
