"""The arena limit: threads that allocate at once share the arenas ``limit_arenas`` allows."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap

import pytest

from stt_engine import heap

_GLIBC = hasattr(ctypes.CDLL(None), "malloc_info")
needs_glibc = pytest.mark.skipif(not _GLIBC, reason="malloc_info and mallopt are glibc's")

# A fresh process: optionally limit the arenas, start eight threads that allocate at the same
# time (a barrier holds them until all have started), then count the arenas malloc_info lists.
_CHILD = textwrap.dedent(
    """
    import ctypes, sys, tempfile, threading
    from stt_engine import heap

    limited = heap.limit_arenas(int(sys.argv[1]))
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    start, held = threading.Barrier(8), threading.Barrier(9)

    def allocate():
        start.wait()
        blocks = [libc.malloc(4096) for _ in range(2000)]
        held.wait()  # every thread holds its blocks while the arenas are counted
        held.wait()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    held.wait()
    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        handle = libc.fopen(out.name.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        arenas = open(out.name).read().count("<heap nr=")
    held.wait()
    for thread in threads:
        thread.join()
    print(limited, arenas)
    """
)


def _arenas(limit: int) -> tuple[bool, int]:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    limited, arenas = run.stdout.split()
    return limited == "True", int(arenas)


@needs_glibc
def test_one_arena_serves_every_thread() -> None:
    assert _arenas(1) == (True, 1)


@needs_glibc
def test_without_a_limit_threads_that_allocate_at_once_get_arenas_of_their_own() -> None:
    limited, arenas = _arenas(0)
    assert not limited
    assert arenas > 1  # the case the limit is for


def test_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert heap.limit_arenas(1) is False


# A fresh process: 200 MiB in 100 KiB blocks (under glibc's mmap threshold, so on the heap),
# all freed but the last, which keeps the heap's top in use, so free() cannot shrink it.
_TRIM_CHILD = textwrap.dedent(
    """
    import ctypes
    from stt_engine import heap

    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]

    def rss():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    blocks = [libc.malloc(100 * 1024) for _ in range(2049)]
    for block in blocks:
        libc.memset(block, 1, 100 * 1024)  # touched: resident
    top = blocks.pop()
    assert top > max(blocks)
    for block in blocks:
        libc.free(block)
    before = rss()
    trimmed = heap.trim()
    print(trimmed, before - rss())
    """
)


@needs_glibc
def test_trim_gives_freed_heap_pages_back() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    run = subprocess.run(
        [sys.executable, "-c", _TRIM_CHILD], capture_output=True, text=True, env=env, timeout=60,
        check=True,
    )  # fmt: skip
    trimmed, released = run.stdout.split()
    assert trimmed == "True"
    assert float(released) > 150  # of the 200 MiB freed behind the pinned top


def test_a_child_process_gets_the_environments_limit_else_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert (heap.child_arenas(1), heap.child_arenas(0)) == ("1", None)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert (heap.child_arenas(1), heap.child_arenas(0)) == ("4", "4")


@needs_glibc
def test_in_use_counts_what_is_held_and_not_what_was_freed() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    before = heap.in_use()
    assert before is not None
    blocks = [libc.malloc(64 * 1024) for _ in range(160)]  # 10 MiB, on the heap and mmapped
    held = heap.in_use()
    for block in blocks:
        libc.free(block)
    after = heap.in_use()
    assert held is not None and after is not None
    assert held - before >= 10 * 2**20
    assert held - after >= 10 * 2**20  # freed blocks are no longer counted, kept pages or not
