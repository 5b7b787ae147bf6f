"""Realtime sessions one after another against a server in this process: RSS and the Python
objects kept (tracemalloc) after a warm-up.

The server runs in this process so that ``tracemalloc`` sees its objects; the RSS therefore
includes the client (the websockets client and its threads). Each session is the soak's: a
short English clip sent at 4x real time to tiny.en, committed, read until its ``completed``.

    .venv/bin/python scripts/bench/realtime_memory.py --warm 30 --sessions 100
    .venv/bin/python scripts/bench/realtime_memory.py --arena-max 1   # heap.limit_arenas(1)
    MALLOC_ARENA_MAX=2 .venv/bin/python scripts/bench/realtime_memory.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from stt_engine import heap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--arena-max", type=int, default=0, help="as malloc_arena_max (0: off)")
    parser.add_argument("--top", type=int, default=5, help="tracebacks of the largest growth")
    args = parser.parse_args()
    limited = heap.limit_arenas(args.arena_max)  # before anything starts a thread

    import gc
    import tracemalloc

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from soak import rss_mib
    from soak_kinds import Kinds

    from stt_engine.bench.local_server import BackgroundServer
    from stt_engine.config import Settings
    from stt_engine.server import create_app

    folder = Path(tempfile.mkdtemp(prefix="realtime-memory-"))
    settings = Settings(
        data_dir=folder / "data",
        upload_dir=folder / "uploads",
        device="cpu",
        default_model="tiny.en",
        job_workers=0,
    )
    with BackgroundServer(create_app(settings)) as server:
        server.wait_ready()
        kinds = Kinds(server.url, "tiny.en", "base")
        for _ in range(args.warm):
            assert kinds.realtime() == "200"
        gc.collect()
        tracemalloc.start(10)
        before, rss_before = tracemalloc.take_snapshot(), rss_mib(os.getpid())
        started = time.monotonic()
        for _ in range(args.sessions):
            assert kinds.realtime() == "200"
        time.sleep(2)  # the last session's tasks end
        gc.collect()
        after, rss_after = tracemalloc.take_snapshot(), rss_mib(os.getpid())
    stats = after.compare_to(before, "traceback")
    print(
        f"arena limit set here: {limited}; {args.sessions} sessions in "
        f"{time.monotonic() - started:.0f} s; RSS {rss_before:.1f} -> {rss_after:.1f} MiB "
        f"({rss_after - rss_before:+.1f}); Python objects kept: "
        f"{sum(s.size_diff for s in stats) / 1024:.0f} KiB"
    )
    for stat in stats[: args.top]:
        print(f"+{stat.size_diff / 1024:.1f} KiB in {stat.count_diff} objects")
        for line in stat.traceback.format()[-6:]:
            print("   ", line)


if __name__ == "__main__":
    main()
