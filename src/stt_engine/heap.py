"""How many malloc arenas the server's threads share (glibc's ``M_ARENA_MAX``).

glibc gives threads that allocate at the same time arenas of their own, up to eight per core.
Each arena keeps the free space its threads leave and hands little of it back, so a server
whose pool threads take turns serving live sessions, uploads and decodes spreads its freed
buffers over many arenas and its resident memory creeps: 7.1 MiB over 300 realtime sessions in
the soak of docs/benchmarks.md, about 24 KiB a session, while Python's own objects stay flat.
With one arena the same sessions keep the resident size flat, and ``bench load`` shows no cost
at 1 or 8 clients (the model's threads allocate little per call; the same table).

``limit_arenas`` must run before the threads that allocate start (``serve`` calls it before it
imports the server); ``MALLOC_ARENA_MAX`` in the environment, read by glibc itself at start,
wins over it. Where the C library has no ``mallopt`` (musl, macOS) nothing changes.

``trim`` hands the heap's free pages back (``malloc_trim``). Diarization calls it after each
recording: its pipeline's large transient arrays otherwise left the resident size swinging
50 to 65 MiB above what the server holds between requests. The server also calls it once it
has been idle a while (server/idle.py). ``in_use`` is what the heap holds for the program
(glibc's ``mallinfo2``): unlike the resident size it does not count free pages kept for reuse,
so it tells a leak from a heap that is merely warm.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_arenas(count: int) -> bool:
    """Let at most ``count`` arenas serve this process's threads (0: glibc's default);
    whether the limit was set here."""
    if count <= 0 or "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = _libc("mallopt", [ctypes.c_int, ctypes.c_int])
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, count))


def child_arenas(count: int) -> str | None:
    """``MALLOC_ARENA_MAX`` for a process this one starts: this environment's if set (it wins
    here too), else ``count``; None for glibc's default (``count`` 0)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return os.environ["MALLOC_ARENA_MAX"]
    return str(count) if count > 0 else None


def trim() -> bool:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim(0)``); whether
    any went back. Where the C library has no ``malloc_trim`` nothing happens."""
    malloc_trim = _libc("malloc_trim", [ctypes.c_size_t])
    return malloc_trim is not None and bool(malloc_trim(0))


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (2.33 and later)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def in_use() -> int | None:
    """Bytes the C heap holds for the program, over every arena and mmapped block; None
    where the C library has no ``mallinfo2`` (glibc before 2.33, musl, macOS)."""
    mallinfo2 = _libc("mallinfo2", [], restype=_MallInfo2)
    if mallinfo2 is None:
        return None
    info = mallinfo2()
    return int(info.uordblks + info.hblkhd)


def _libc(name: str, argtypes: list[Any], restype: Any = ctypes.c_int) -> Any:
    """The C library's function ``name`` (returning ``restype``), or None where it has none."""
    try:
        function = getattr(ctypes.CDLL(None), name, None)
    except OSError:
        return None
    if function is not None:
        function.argtypes = argtypes
        function.restype = restype
    return function
