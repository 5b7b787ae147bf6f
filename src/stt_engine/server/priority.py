"""The event loop keeps the CPU: every other thread of the server runs at a lower priority,
and the heap that start-up built is left out of garbage collection.

On a small machine the model's threads keep every core busy; the thread that runs the event
loop (health checks, accepting uploads, answering 429s, live sessions' events) then waits for
a core behind them. Raising the other threads' nice value (``worker_nice``) lets the kernel
run the loop as soon as it has work, without slowing the model when the loop is idle. The
threads are looked up every second, so ones that start later (worker pools of libraries) are
lowered too; a thread created by a lowered one starts lowered. Linux only (per-thread nice
values in ``/proc/self/task``); elsewhere, and with ``worker_nice=0``, nothing changes. A
thread's nice value cannot be raised back without privileges, so lowering is for good.

A full garbage collection walks every tracked object and stops every thread while it does;
after the modules and the default model are loaded that is some 84,000 objects and about
20 ms (measured on this 2-core CPU), a pause any request may hit. ``freeze_startup_heap``
moves what exists at that point out of the collector's sight (``gc.freeze``); everything
allocated later is collected as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

log = logging.getLogger(__name__)
_TASKS = Path("/proc/self/task")
_INTERVAL_SECONDS = 1.0
_protected: set[int] = set()  # the loop threads of the apps running in this process


def supported() -> bool:
    return hasattr(os, "setpriority") and _TASKS.is_dir()


def lower_other_threads(nice: int) -> int:
    """Give every thread but the protected loop threads at least ``nice``; how many changed."""
    changed = 0
    for entry in _TASKS.iterdir():
        tid = int(entry.name)
        if tid in _protected:
            continue
        with contextlib.suppress(OSError):  # the thread may have ended since the listing
            if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
                changed += 1
    return changed


@contextlib.asynccontextmanager
async def loop_first(nice: int) -> AsyncIterator[None]:
    """While the app runs, keep its loop thread ahead of the process's other threads."""
    if nice <= 0 or not supported():
        yield
        return
    tid = threading.get_native_id()
    _protected.add(tid)
    task = asyncio.create_task(_keep_lowering(nice))
    log.info("worker threads run at nice %d; the event loop thread keeps its priority", nice)
    try:
        yield
    finally:
        task.cancel()
        _protected.discard(tid)


async def _keep_lowering(nice: int) -> None:
    while True:
        lower_other_threads(nice)
        await asyncio.sleep(_INTERVAL_SECONDS)


def freeze_startup_heap() -> None:
    """Collect once, then leave the surviving start-up objects out of later collections."""
    gc.collect()
    gc.freeze()
    log.debug("garbage collection: %d start-up objects frozen", gc.get_freeze_count())
