"""The server's private upload folder, and the cleanup of folders a killed server left.

Each server process stages uploads in its own ``stt-engine-uploads-*`` folder under
``upload_dir`` (default: the system temp dir), with its pid written inside. A server killed
with SIGKILL cannot remove its folder; the next start removes every such folder whose process
is gone (and, for folders without a pid, those older than a day).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "stt-engine-uploads-"
PID_FILE = "owner.pid"
ORPHAN_SECONDS = 86400.0


def open_upload_folder(base: Path | None) -> Path:
    """A new upload folder for this process, after removing the ones dead servers left."""
    root = base or Path(tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    removed = remove_stale(root)
    if removed:
        log.info("removed %d upload folder(s) left by stopped servers", removed)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
    (folder / PID_FILE).write_text(str(os.getpid()), encoding="ascii")
    return folder


def remove_stale(root: Path) -> int:
    """Remove upload folders under ``root`` whose server process no longer runs."""
    count = 0
    for folder in root.glob(PREFIX + "*"):
        if folder.is_dir() and _stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            count += 1
    return count


def _stale(folder: Path) -> bool:
    try:
        pid = int((folder / PID_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        try:
            return time.time() - folder.stat().st_mtime > ORPHAN_SECONDS
        except OSError:
            return False
    return pid != os.getpid() and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True
