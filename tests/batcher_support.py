"""A gated fake backend for the batcher's tests: what runs together is decided by the test.

The fake backend decodes a chunk into a segment whose text is the chunk's id (its features
hold the id); every ``decode_batch`` call records the ids it got and then waits on a gate the
test opens, so what runs together is decided by the test, not by timing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future

import numpy as np

from stt_engine.engine.batcher import Owner
from stt_engine.engine.contract import (
    ENCODER_FRAMES,
    ChunkInput,
    ChunkResult,
    DecodeOptions,
    DeviceChoice,
)
from stt_engine.transcript import Segment

WAIT = 10.0


class GatedBackend:
    """Deterministic: text is the chunk's id; each call blocks until the test lets it go."""

    multilingual = True
    device = DeviceChoice("cpu", "int8", "test")

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.entered = threading.Semaphore(0)
        self.gates: list[threading.Event] = []
        self._lock = threading.Lock()
        self.fail_on: str | None = None
        self.windows: dict[str, int] = {}  # chunk id -> encoder frames it was padded to

    def features(self, audio: np.ndarray, frames: int = ENCODER_FRAMES) -> np.ndarray:
        self.windows[bytes(audio.astype(np.uint8)).decode()] = frames
        return audio

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        ids = [_id(c) for c in chunks]
        gate = threading.Event()
        with self._lock:
            self.batches.append(ids)
            self.gates.append(gate)
        self.entered.release()
        assert gate.wait(WAIT), "the test never opened the gate"
        if self.fail_on in ids:
            raise RuntimeError(f"cannot decode {self.fail_on}")
        return [_result(i, options) for i in ids]

    def wait_entered(self, count: int = 1) -> None:
        for _ in range(count):
            assert self.entered.acquire(timeout=WAIT), "no batch started"

    def open(self, index: int) -> None:
        self.gates[index].set()


def _id(chunk: ChunkInput) -> str:
    return bytes(chunk.features.astype(np.uint8)).decode()


def chunk(name: str) -> np.ndarray:
    return np.frombuffer(name.encode(), dtype=np.uint8).astype(np.float32)


def _result(name: str, options: DecodeOptions) -> ChunkResult:
    segment = Segment(id=0, seek=0, start=0.0, end=1.0, text=name)
    return ChunkResult((segment,), name, -0.1, 0.0, 1.0, options.temperature, "ko", 1.0)


def submit(owner: Owner, backend: GatedBackend, *names: str) -> list[Future[ChunkResult]]:
    return [owner.submit(backend, chunk(n), DecodeOptions(language="ko")) for n in names]


def texts(futures: list[Future[ChunkResult]]) -> list[str]:
    return [f.result(WAIT).text for f in futures]
