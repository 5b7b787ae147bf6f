"""The live server on a gated fake backend: requests batched together, queue bound, cancel.

The backend is deterministic and decides nothing by time: each ``decode_batch`` call records
how many chunks it got and waits for the test to open its gate. Real HTTP, real uploads of
real speech, the real scheduler and batcher; only the model is fake.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import pytest
from api_support import API_KEY, JFK, KO_CLIP, live_server, make_settings

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.engine.contract import ChunkInput, ChunkResult, DecodeOptions, DeviceChoice
from stt_engine.transcript import Segment

AUTH = {"Authorization": f"Bearer {API_KEY}"}
WAIT = 30.0


class GatedBackend:
    multilingual = True

    def __init__(self, device: DeviceChoice):
        self.device = device
        self.batches: list[int] = []
        self.entered = threading.Semaphore(0)
        self.gate = threading.Event()

    def features(self, audio: np.ndarray, frames: int = 3000) -> np.ndarray:
        return audio[:16]

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        self.batches.append(len(chunks))
        self.entered.release()
        assert self.gate.wait(WAIT), "the test never opened the gate"
        return [_result(chunk, options) for chunk in chunks]


def _result(chunk: ChunkInput, options: DecodeOptions) -> ChunkResult:
    text = f" {chunk.seconds:.1f} seconds"
    segment = Segment(id=0, seek=0, start=0.0, end=chunk.seconds, text=text)
    return ChunkResult((segment,), text, -0.2, 0.0, 1.0, options.temperature, "en", 1.0)


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[tuple[BackgroundServer, GatedBackend]]:
    folder = tmp_path / "models" / "fake"
    folder.mkdir(parents=True)
    for name, body in (
        ("model.bin", b"weights"),
        ("config.json", b"{}"),
        ("tokenizer.json", b"{}"),
    ):
        (folder / name).write_bytes(body)
    settings = make_settings(
        tmp_path,
        default_model="fake",
        workers=3,
        queue_size=1,
        batch_size=4,
        pack_chunks=False,
        inference_threads=1,
    )
    backends: list[GatedBackend] = []

    def load(path: Path, device: DeviceChoice) -> GatedBackend:
        backends.append(GatedBackend(device))
        return backends[-1]

    engine = Engine(settings, factory=load)
    with live_server(settings, engine) as server:
        yield server, backends[0]
        backends[0].gate.set()
    engine.close()


def post(server: BackgroundServer, path: Path) -> httpx.Response:
    return post_with_timeout(server, path, WAIT)


def in_thread(server: BackgroundServer, path: Path, into: list[httpx.Response]) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.append(post(server, path)))
    thread.start()
    return thread


def batch_health(server: BackgroundServer) -> dict:
    health = httpx.get(server.url + "/health", timeout=5).json()
    return {"queued": health["queued"], "busy": health["workers_busy"], **(health["batch"] or {})}


@pytest.mark.corpus
def test_waiting_requests_share_a_batch_and_the_queue_bound_gives_429(
    fake: tuple[BackgroundServer, GatedBackend],
) -> None:
    server, backend = fake
    answers: list[httpx.Response] = []
    threads = [in_thread(server, JFK, answers)]
    assert backend.entered.acquire(timeout=WAIT)  # the first request's chunk is decoding
    # two clips of one length: their chunks get the same fitted encoder window, so may batch
    threads += [in_thread(server, KO_CLIP, answers), in_thread(server, KO_CLIP, answers)]
    _wait_for(lambda: batch_health(server)["queued_chunks"] == 2)  # both wait for a batch
    threads.append(in_thread(server, JFK, answers))
    _wait_for(lambda: batch_health(server)["queued"] == 1)  # three workers busy, one queued
    refused = post(server, JFK)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "queue_full"
    backend.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert [a.status_code for a in answers] == [200] * 4
    assert sorted(a.json()["text"] for a in answers) == ["11.0 seconds"] * 2 + ["4.7 seconds"] * 2
    assert backend.batches[:2] == [1, 2]  # the two waiting requests' chunks went together


@pytest.mark.corpus
def test_a_client_that_goes_away_never_has_its_chunks_decoded(
    fake: tuple[BackgroundServer, GatedBackend],
) -> None:
    server, backend = fake
    answers: list[httpx.Response] = []
    first = in_thread(server, JFK, answers)
    assert backend.entered.acquire(timeout=WAIT)
    gone: list[BaseException] = []

    def impatient() -> None:
        try:
            post_with_timeout(server, KO_CLIP, 3.0)
        except httpx.TimeoutException as exc:
            gone.append(exc)

    leaver = threading.Thread(target=impatient)
    leaver.start()
    _wait_for(lambda: batch_health(server)["queued_chunks"] == 1)
    leaver.join(WAIT)
    assert gone, "the impatient client should have timed out"
    _wait_for(lambda: batch_health(server)["queued_chunks"] == 0)  # dropped, not decoded
    backend.gate.set()
    first.join(WAIT)
    assert [a.status_code for a in answers] == [200]
    _wait_for(lambda: batch_health(server)["busy"] == 0)
    assert backend.batches == [1]  # only the first request's chunk was ever decoded


def post_with_timeout(server: BackgroundServer, path: Path, timeout: float) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"file": (path.name, path.read_bytes(), "audio/flac")},
        data={"model": "fake", "language": "en", "vad_filter": "false"},
        headers=AUTH,
        timeout=timeout,
    )


def _wait_for(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the server")
