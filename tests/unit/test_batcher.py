"""The batcher with a gated fake backend: batching across owners, order, cancel, fairness.

The fake backend decodes a chunk into a segment whose text is the chunk's id (its features
hold the id); every ``decode_batch`` call records the ids it got and then waits on a gate the
test opens, so what runs together is decided by the test, not by timing.
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, Future

import pytest

from batcher_support import WAIT, GatedBackend, chunk, submit, texts
from stt_engine.engine.batcher import Batcher, BatchSettings
from stt_engine.engine.contract import ENCODER_FRAMES, ChunkResult, DecodeOptions
from stt_engine.errors import CancelledError_


def test_chunks_from_different_owners_share_one_batch(
    batcher: Batcher, backend: GatedBackend
) -> None:
    first = submit(batcher.owner(), backend, "a1")
    backend.wait_entered()  # a1 runs alone; the others queue behind it
    b = submit(batcher.owner(), backend, "b1")
    c = submit(batcher.owner(), backend, "c1")
    backend.open(0)
    backend.wait_entered()
    backend.open(1)
    assert texts(first) == ["a1"] and texts(b) == ["b1"] and texts(c) == ["c1"]
    assert backend.batches == [["a1"], ["b1", "c1"]]
    assert batcher.stats().batches == 2 and batcher.stats().chunks_decoded == 3


def test_results_return_to_their_owner_in_order(batcher: Batcher, backend: GatedBackend) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    a = submit(batcher.owner(), backend, "a1", "a2", "a3")
    b = submit(batcher.owner(), backend, "b1", "b2")
    backend.open(0)
    backend.wait_entered()
    backend.open(1)
    backend.wait_entered()
    backend.open(2)
    assert texts(blocker) == ["x"]
    assert texts(a) == ["a1", "a2", "a3"] and texts(b) == ["b1", "b2"]
    assert backend.batches[1:] == [["a1", "b1", "a2", "b2"], ["a3"]]


def test_a_cancelled_owner_never_runs(batcher: Batcher, backend: GatedBackend) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    gone = batcher.owner()
    dropped = submit(gone, backend, "g1", "g2")
    kept = submit(batcher.owner(), backend, "k1")
    gone.cancel()
    assert all(f.cancelled() for f in dropped)
    with pytest.raises(CancelledError_):
        submit(gone, backend, "g3")
    backend.open(0)
    backend.wait_entered()
    backend.open(1)
    assert texts(blocker) == ["x"] and texts(kept) == ["k1"]
    assert backend.batches == [["x"], ["k1"]]
    with pytest.raises(CancelledError):
        dropped[0].result(0)


def test_round_robin_lets_a_short_request_into_the_next_batch(backend: GatedBackend) -> None:
    batcher = Batcher(BatchSettings(max_batch=2, wait_ms=0, owner_cap=16))
    try:
        blocker = submit(batcher.owner(), backend, "x")
        backend.wait_entered()
        long = submit(batcher.owner("job"), backend, *[f"j{i}" for i in range(6)])
        short = submit(batcher.owner(), backend, "r1")  # queued after all six
        for index in range(5):
            backend.open(index)
            if index < 4:
                backend.wait_entered()
        assert texts(short) == ["r1"] and texts(long) == [f"j{i}" for i in range(6)]
        assert texts(blocker) == ["x"]
        assert backend.batches[1:] == [["j0", "r1"], ["j1", "j2"], ["j3", "j4"], ["j5"]]
    finally:
        batcher.shutdown()


def test_an_owner_waits_at_its_cap(backend: GatedBackend) -> None:
    batcher = Batcher(BatchSettings(max_batch=1, wait_ms=0, owner_cap=2))
    try:
        owner = batcher.owner()
        submit(owner, backend, "a1", "a2")
        backend.wait_entered()
        third: list[Future[ChunkResult]] = []
        thread = threading.Thread(target=lambda: third.extend(submit(owner, backend, "a3")))
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and not third  # two in flight: the third waits
        backend.open(0)
        thread.join(WAIT)
        assert not thread.is_alive() and len(third) == 1
        backend.wait_entered()
        backend.open(1)
        backend.wait_entered()
        backend.open(2)
        assert texts(third) == ["a3"]
    finally:
        batcher.shutdown()


def test_only_different_options_are_kept_apart(batcher: Batcher, backend: GatedBackend) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    korean = submit(batcher.owner(), backend, "k1")
    english = batcher.owner().submit(backend, chunk("e1"), DecodeOptions(language="en"))
    more_korean = submit(batcher.owner(), backend, "k2")
    for index in range(3):
        backend.open(index)
        if index < 2:
            backend.wait_entered()
    assert texts(blocker + korean + [english] + more_korean) == ["x", "k1", "e1", "k2"]
    assert sorted(map(sorted, backend.batches[1:])) == [["e1"], ["k1", "k2"]]


def test_every_chunk_gets_a_fitted_window_by_default(
    batcher: Batcher, backend: GatedBackend
) -> None:
    assert BatchSettings().fitted == "all"
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    job = submit(batcher.owner("job"), backend, "j1")
    stream = submit(batcher.owner("stream"), backend, "s1")
    request = submit(batcher.owner(), backend, "r1")
    backend.open(0)
    backend.wait_entered()
    backend.open(1)
    assert texts(blocker + job + stream + request) == ["x", "j1", "s1", "r1"]
    assert sorted(backend.batches[1]) == ["j1", "r1", "s1"]
    assert backend.windows == {"x": 1000, "j1": 1000, "s1": 1000, "r1": 1000}


def test_fitting_streams_only_keeps_files_on_the_full_window(backend: GatedBackend) -> None:
    batcher = Batcher(BatchSettings(max_batch=4, wait_ms=0, fitted="streams"))
    try:
        blocker = submit(batcher.owner(), backend, "x")
        backend.wait_entered()
        first = submit(batcher.owner("stream"), backend, "s1")
        request = submit(batcher.owner(), backend, "r1")
        second = submit(batcher.owner("stream"), backend, "s2")
        for index in range(3):
            backend.open(index)
            if index < 2:
                backend.wait_entered()
        assert texts(blocker + first + request + second) == ["x", "s1", "r1", "s2"]
        assert sorted(map(sorted, backend.batches[1:])) == [["r1"], ["s1", "s2"]]
        assert backend.windows == {"x": 3000, "s1": 1000, "r1": 3000, "s2": 1000}
    finally:
        batcher.shutdown()


def test_partial_passes_wait_for_other_chunks(batcher: Batcher, backend: GatedBackend) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    partial = submit(batcher.owner("partial"), backend, "p1")
    final = submit(batcher.owner("stream"), backend, "f1")
    request = submit(batcher.owner(), backend, "r1")
    for index in range(3):
        backend.open(index)
        if index < 2:
            backend.wait_entered()
    assert texts(blocker + partial + final + request) == ["x", "p1", "f1", "r1"]
    # queued first, the partial pass still went last: the final and the request lead
    assert backend.batches[1:] == [["f1", "r1"], ["p1"]]
    assert backend.windows["p1"] == backend.windows["f1"] == 1000


def test_without_fitting_stream_chunks_join_requests(backend: GatedBackend) -> None:
    batcher = Batcher(BatchSettings(max_batch=4, wait_ms=0, fitted="off"))
    try:
        blocker = submit(batcher.owner(), backend, "x")
        backend.wait_entered()
        stream = submit(batcher.owner("stream"), backend, "s1")
        request = submit(batcher.owner(), backend, "r1")
        backend.open(0)
        backend.wait_entered()
        backend.open(1)
        assert texts(blocker + stream + request) == ["x", "s1", "r1"]
        assert sorted(backend.batches[1]) == ["r1", "s1"]
        assert backend.windows["s1"] == ENCODER_FRAMES
    finally:
        batcher.shutdown()


def test_a_failing_batch_fails_only_the_bad_chunk(batcher: Batcher, backend: GatedBackend) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    good = submit(batcher.owner(), backend, "ok")
    bad = submit(batcher.owner(), backend, "bad")
    backend.fail_on = "bad"
    for index in range(4):  # x; [ok, bad] fails; then ok alone, bad alone
        backend.open(index)
        if index < 3:
            backend.wait_entered()
    assert texts(blocker) == ["x"] and texts(good) == ["ok"]
    with pytest.raises(RuntimeError, match="cannot decode bad"):
        bad[0].result(WAIT)
    assert backend.batches[1:] == [["ok", "bad"], ["ok"], ["bad"]]
