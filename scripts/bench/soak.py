"""Soak a real server: memory over many sequential requests, then many clients at once.

Starts ``stt-engine serve`` (the embedded base model) on a free port in a child process, then

1. ``--requests`` sequential transcriptions of a short real clip, sampling the server's
   resident memory (VmRSS) every ``--sample-every`` requests: growth after warm-up;
2. ``--clients`` concurrent clients for ``--seconds``, each posting the clip in a loop, while
   ``/health`` is polled every 20 ms from a separate process: answers by status (only 200
   and 429 expected), timeouts, connection errors, and the /health latency percentiles. By
   default a refused client asks again at once (a flood); ``--honour-retry-after`` makes it
   wait the Retry-After seconds first, as the openai client does.

    .venv/bin/python scripts/bench/soak.py --requests 2000 --clients 64 --seconds 60 \\
        --out out/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLIP = ROOT / ".." / "shared" / "audio" / "ko" / "emotiontts" / "Main" / "main" / "lmy"
DEFAULT_CLIP = CLIP / "lmy02044.flac"  # 전 스파게티 좋아해요. (about 2 s)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(
    port: int, extra: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """``stt-engine serve`` on 127.0.0.1:``port``, once ready (its output to ``log``)."""
    command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
    with open(log or os.devnull, "wb") as sink:
        process = subprocess.Popen(
            [*command, "--port", str(port), *extra], env=env, stdout=sink, stderr=sink
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not become ready")


def sequential(url: str, pid: int, clip: bytes, count: int, every: int) -> dict[str, Any]:
    samples: list[tuple[int, float]] = [(0, rss_mib(pid))]
    failures: Counter[str] = Counter()
    with httpx.Client(base_url=url, timeout=120) as client:
        for index in range(1, count + 1):
            response = client.post("/v1/audio/transcriptions", files={"file": ("c.flac", clip)})
            if response.status_code != 200:
                failures[str(response.status_code)] += 1
            if index % every == 0:
                samples.append((index, rss_mib(pid)))
                print(f"  {index} requests: RSS {samples[-1][1]:.0f} MiB", flush=True)
    warm = next((rss for n, rss in samples if n >= min(200, count)), samples[-1][1])
    return {
        "requests": count,
        "failures": dict(failures),
        "rss_mib": samples,
        "rss_after_warmup_mib": warm,
        "rss_end_mib": samples[-1][1],
        "growth_after_warmup_mib": round(samples[-1][1] - warm, 1),
    }


async def client_loop(
    client: httpx.AsyncClient, clip: bytes, until: float, tally: Counter[str], patient: bool
) -> None:
    while time.monotonic() < until:
        try:
            response = await client.post(
                "/v1/audio/transcriptions", files={"file": ("c.flac", clip)}
            )
            tally[str(response.status_code)] += 1
            if patient and response.status_code == 429:
                wait = float(response.headers.get("retry-after", "1"))
                await asyncio.sleep(min(wait, max(until - time.monotonic(), 0.0)))
        except httpx.TimeoutException:
            tally["timeout"] += 1
        except httpx.TransportError:
            tally["connection_error"] += 1


def health_poller(url: str, seconds: float, out: Any) -> None:
    """Poll /health every 20 ms in its own process, so the load generator's event loop and
    GIL do not count as server latency; sends the latencies back through ``out``."""
    latencies: list[float] = []
    until = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            response = client.get("/health")
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                latencies.append(float("inf"))
            time.sleep(0.02)
    out.send(latencies)
    out.close()


async def concurrent(
    url: str, clip: bytes, clients: int, seconds: float, patient: bool = False
) -> dict[str, Any]:
    tally: Counter[str] = Counter()
    receiver, sender = multiprocessing.Pipe(duplex=False)
    poller = multiprocessing.Process(target=health_poller, args=(url, seconds, sender))
    poller.start()
    until = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        loops = (client_loop(client, clip, until, tally, patient) for _ in range(clients))
        await asyncio.gather(*loops)
    ordered = sorted(receiver.recv())
    poller.join()

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "clients": clients,
        "seconds": seconds,
        "honour_retry_after": patient,
        "answers": dict(tally),
        "health_ms": {
            "count": len(ordered),
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(ordered[-1] * 1000, 1),
            "mean": round(statistics.mean(ordered) * 1000, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--sample-every", type=int, default=100)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--honour-retry-after", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("serve_args", nargs="*", help="extra `stt-engine serve` arguments")
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_server(port, args.serve_args)
    url = f"http://127.0.0.1:{port}"
    clip = args.clip.read_bytes()
    try:
        result: dict[str, Any] = {"clip": str(args.clip), "server_pid": server.pid}
        if args.requests:
            print(f"sequential: {args.requests} requests", flush=True)
            result["sequential"] = sequential(
                url, server.pid, clip, args.requests, args.sample_every
            )
        if args.clients:
            print(f"concurrent: {args.clients} clients for {args.seconds:.0f} s", flush=True)
            result["concurrent"] = asyncio.run(
                concurrent(url, clip, args.clients, args.seconds, args.honour_retry_after)
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
