"""Live partial passes in the batcher, with the gated fake backend: rank, supersession,
one pass of a stream at a time, and no wait for company on an idle device."""

from __future__ import annotations

from concurrent.futures import CancelledError

import pytest

from batcher_support import WAIT, GatedBackend, submit, texts
from stt_engine.engine.batcher import Batcher, BatchSettings


def _run_all(backend: GatedBackend, batches: int) -> None:
    """Let the blocker and then ``batches`` more batches through, one at a time."""
    for index in range(batches + 1):
        backend.open(index)
        if index < batches:
            backend.wait_entered()


def test_a_newer_pass_of_the_same_stream_drops_the_queued_one(
    batcher: Batcher, backend: GatedBackend
) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    stream = object()
    older = submit(batcher.owner("first_partial", stream), backend, "p1")
    newer = submit(batcher.owner("first_partial", stream), backend, "p2")
    assert older[0].cancelled()  # dropped before it started
    _run_all(backend, 1)
    assert texts(blocker + newer) == ["x", "p2"]
    assert backend.batches == [["x"], ["p2"]]
    assert batcher.stats().owners == 2  # the dropped pass left the batcher


def test_passes_of_other_streams_and_finals_are_not_dropped(
    batcher: Batcher, backend: GatedBackend
) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    mine, theirs = object(), object()
    final = submit(batcher.owner("stream"), backend, "f1")
    other = submit(batcher.owner("partial", theirs), backend, "o1")
    first = submit(batcher.owner("partial", mine), backend, "m1")
    second = submit(batcher.owner("partial", mine), backend, "m2")
    _run_all(backend, 2)
    assert first[0].cancelled()
    assert texts(blocker + final + other + second) == ["x", "f1", "o1", "m2"]
    assert backend.batches[1:] == [["f1"], ["o1", "m2"]]


def test_a_pass_already_decoding_is_never_dropped(batcher: Batcher, backend: GatedBackend) -> None:
    stream = object()
    running = submit(batcher.owner("first_partial", stream), backend, "p1")
    backend.wait_entered()
    newer = submit(batcher.owner("first_partial", stream), backend, "p2")
    assert not running[0].done()
    _run_all(backend, 1)
    assert texts(running + newer) == ["p1", "p2"]


def test_a_stream_decodes_one_pass_at_a_time(backend: GatedBackend) -> None:
    batcher = Batcher(BatchSettings(max_batch=4, wait_ms=0, threads=2))
    try:
        stream = object()
        running = submit(batcher.owner("first_partial", stream), backend, "p1")
        backend.wait_entered()
        newer = submit(batcher.owner("first_partial", stream), backend, "p2")
        request = submit(batcher.owner(), backend, "r1")
        backend.wait_entered()  # the second thread takes the request, not the second pass
        assert backend.batches == [["p1"], ["r1"]]
        backend.open(1)
        assert texts(request) == ["r1"] and not newer[0].done()
        backend.open(0)
        backend.wait_entered()  # p2 starts once p1 is done
        backend.open(2)
        assert texts(running + newer) == ["p1", "p2"]
    finally:
        batcher.shutdown()


def test_a_first_partial_ranks_in_turn_and_later_ones_yield(
    batcher: Batcher, backend: GatedBackend
) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    later = submit(batcher.owner("partial", object()), backend, "p1")
    first = submit(batcher.owner("first_partial", object()), backend, "q1")
    request = submit(batcher.owner(), backend, "r1")
    _run_all(backend, 2)
    assert texts(blocker + later + first + request) == ["x", "p1", "q1", "r1"]
    # the first partial leads the next batch and the request rides with it (every chunk is in
    # the same fitted window); the later pass, queued first, went last
    assert backend.batches[1:] == [["q1", "r1"], ["p1"]]
    assert backend.windows["q1"] == backend.windows["p1"] == backend.windows["r1"] == 1000


def test_a_cancelled_superseded_pass_raises_for_its_waiter(
    batcher: Batcher, backend: GatedBackend
) -> None:
    blocker = submit(batcher.owner(), backend, "x")
    backend.wait_entered()
    stream = object()
    older = submit(batcher.owner("partial", stream), backend, "p1")
    submit(batcher.owner("partial", stream), backend, "p2")
    with pytest.raises(CancelledError):
        older[0].result(WAIT)
    _run_all(backend, 1)
    assert texts(blocker) == ["x"]


def test_an_idle_device_starts_a_lone_chunk_without_waiting(backend: GatedBackend) -> None:
    # a wait far longer than the test's gates: the batch starting at all shows it did not wait
    batcher = Batcher(BatchSettings(max_batch=4, wait_ms=600_000))
    try:
        lone = submit(batcher.owner(), backend, "a1")
        backend.wait_entered()
        backend.open(0)
        assert texts(lone) == ["a1"]
    finally:
        batcher.shutdown()
