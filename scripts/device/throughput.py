#!/usr/bin/env python3
"""Throughput per batch size, from a ``bench load`` result over one server per batch size.

    throughput.py LOAD_JSON 1,4,16

The result's URLs are in the order the batch sizes are given. Prints one line per batch size
and concurrency level: audio seconds transcribed per wall-clock second, requests per second,
median and 95th-percentile latency, and the requests that failed. Exit 1 if any level had no
successful request.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def table(result: dict[str, Any], sizes: list[int]) -> tuple[str, bool]:
    urls = result["settings"]["urls"]
    if len(urls) != len(sizes):
        raise SystemExit(f"{len(urls)} URLs in the result but batch sizes {sizes}")
    lines = ["batch size  clients  audio s/s  req/s   p50 s   p95 s     ok  errors"]
    empty = False
    for size, url in zip(sizes, urls, strict=True):
        for level in result["levels"][url]:
            latency = level["latency_seconds"]
            errors = ",".join(f"{k}:{v}" for k, v in level["errors"].items()) or "0"
            lines.append(
                f"{size:>10}  {level['concurrency']:>7}  {level['throughput_audio_s_per_s']:>9.2f}"
                f"  {level['requests_per_second']:>5.2f}  {_num(latency.get('p50'))}"
                f"  {_num(latency.get('p95'))}  {level['ok']:>5}  {errors}"
            )
            empty = empty or level["ok"] == 0
    return "\n".join(lines), empty


def _num(value: float | None) -> str:
    return f"{value:>6.2f}" if value is not None else "     -"


def main() -> int:
    result = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    sizes = [int(part) for part in sys.argv[2].split(",")]
    text, empty = table(result, sizes)
    health: dict[str, Any] = next((h for h in result.get("servers", {}).values() if h), {})
    where = f"{health.get('device', '?')} {health.get('device_name') or ''}".strip()
    print(f"throughput against batch size, served on {where}:")
    print(text)
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main())
