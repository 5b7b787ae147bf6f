"""Single-request latency through the HTTP server vs the engine called directly.

Both paths use one Engine (one loaded model) in this process; the server runs in a background
thread on 127.0.0.1 and is called with httpx exactly as a client would (multipart upload, JSON
answer). Rounds alternate between the two paths so background load hits both alike.

    .venv/bin/python scripts/bench/server_overhead.py [--rounds 5] [--audio FILE] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.server import create_app

DEFAULT_AUDIO = Path(__file__).resolve().parents[2] / "../shared/audio/en/whisper_jfk.flac"


def direct(engine: Engine, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    audio = engine.decode(path)
    transcript = engine.transcribe_all(audio, TranscribeOptions())
    return time.perf_counter() - started, transcript.text


def served(client: httpx.Client, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.post(
        "/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/flac")},
        data={"model": "whisper-1"},
    )
    response.raise_for_status()
    return time.perf_counter() - started, str(response.json()["text"])


def summary(name: str, times: list[float]) -> str:
    return (
        f"{name:<8} mean {statistics.mean(times):.3f} s  median {statistics.median(times):.3f} s"
        f"  min {min(times):.3f} s  max {max(times):.3f} s  (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    settings = Settings(device=args.device, upload_dir=Path(tempfile.mkdtemp()))
    engine = Engine(settings)
    with BackgroundServer(create_app(settings, engine)) as server:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=600) as client:
            direct(engine, args.audio), served(client, args.audio)  # warm up both paths
            times: dict[str, list[float]] = {"engine": [], "server": []}
            for round_ in range(args.rounds):
                order = ["engine", "server"] if round_ % 2 == 0 else ["server", "engine"]
                for name in order:
                    if name == "engine":
                        seconds, text = direct(engine, args.audio)
                    else:
                        seconds, text = served(client, args.audio)
                    times[name].append(seconds)
    print(f"audio: {args.audio.name}; device: {engine.device.log_line()}")
    print(f"text:  {text}")
    for name, values in times.items():
        print(summary(name, values))
    ratio_mean = statistics.mean(times["server"]) / statistics.mean(times["engine"])
    ratio_median = statistics.median(times["server"]) / statistics.median(times["engine"])
    print(f"server / engine: mean {ratio_mean:.3f}, median {ratio_median:.3f}")


if __name__ == "__main__":
    main()
