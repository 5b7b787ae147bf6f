"""Files on disk: written whole or not at all, and the sha256 of what they hold.

Every atomic write and every checksum of a file in the package goes through here (the
stdlib-only ``doctor/`` and the standalone ``bundle/install.sh`` keep their own). A write goes
to a temporary file beside its target, ending in ``.partial``, is flushed to disk and renamed
into place: a file that exists is complete, and writing it again replaces it whole. A
``.partial`` file is never complete; one left by a crash may be removed. Standard library
only: ``bundle`` and ``--help`` import this and stay light.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash

PARTIAL_SUFFIX = ".partial"
CHUNK = 1024 * 1024


@contextmanager
def replacing(target: Path, partial: Path | None = None) -> Iterator[Path]:
    """A temporary path beside ``target``: renamed onto it if the block succeeds, else removed.

    ``partial`` names the temporary file (one writer per target, as a job's result); by default
    it is a fresh ``.<name>.<random>.partial``, so two writers never share it.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if partial is None:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent
        )
        os.close(fd)
        partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_atomic(
    target: Path, data: str | bytes, *, partial: Path | None = None, sync_folder: bool = False
) -> None:
    """Write ``data`` (text as UTF-8) to ``target`` whole or not at all, flushed to disk.

    ``sync_folder`` also flushes the folder, so the rename itself survives a power cut.
    OSError when the disk refuses; nothing is left behind then.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(target, partial) as path, open(path, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    if sync_folder:
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def digest_stream(
    handle: IO[bytes], digest: _Hash | None = None, each: Callable[[bytes], object] | None = None
) -> _Hash:
    """Feed everything left in the stream to ``digest`` (a new sha256 by default).

    ``each`` sees every chunk as it goes by (to count, report progress or copy it).
    """
    digest = hashlib.sha256() if digest is None else digest
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        if each is not None:
            each(chunk)
    return digest


def sha256_file(path: Path, each: Callable[[bytes], object] | None = None) -> str:
    """The hex sha256 of a file's contents."""
    with path.open("rb") as handle:
        return digest_stream(handle, each=each).hexdigest()
