"""The bounded scheduler on its own: capacity, queue depth, cancellation and time limits."""

from __future__ import annotations

import threading
import time

import pytest

from stt_engine.engine.scheduler import CancelToken, Scheduler, TimeoutPolicy
from stt_engine.errors import BusyError, CancelledError_, TimeoutError_


def blocker(gate: threading.Event, started: threading.Event | None = None):  # type: ignore[no-untyped-def]
    def work(token: CancelToken) -> str:
        if started is not None:
            started.set()
        while not gate.wait(0.01):
            token.check()
        return "done"

    return work


def test_runs_work_and_returns_its_result() -> None:
    scheduler = Scheduler(workers=2, queue_size=2)
    ticket = scheduler.submit(lambda token: 41 + 1, audio_seconds=3.0)
    assert ticket.future.result(5) == 42
    scheduler.shutdown()


def test_full_queue_raises_busy_with_retry_after() -> None:
    scheduler = Scheduler(workers=1, queue_size=1)
    gate, started = threading.Event(), threading.Event()
    running = scheduler.submit(blocker(gate, started), audio_seconds=10)
    started.wait(5)
    waiting = scheduler.submit(blocker(gate), audio_seconds=7)
    stats = scheduler.stats()
    assert (stats.running, stats.queued, stats.queued_audio_seconds) == (1, 1, 7)
    with pytest.raises(BusyError) as caught:
        scheduler.submit(blocker(gate))
    assert caught.value.retry_after >= 1
    assert caught.value.http_status == 429
    gate.set()
    assert running.future.result(5) == waiting.future.result(5) == "done"
    assert scheduler.stats().running == scheduler.stats().queued == 0
    scheduler.shutdown()


def test_cancelling_a_queued_job_frees_its_place() -> None:
    scheduler = Scheduler(workers=1, queue_size=1)
    gate, started = threading.Event(), threading.Event()
    scheduler.submit(blocker(gate, started))
    started.wait(5)
    queued = scheduler.submit(blocker(gate))
    queued.cancel()
    assert queued.future.cancelled()
    assert scheduler.stats().queued == 0
    scheduler.submit(blocker(gate))  # the place is free again
    gate.set()
    scheduler.shutdown()


def test_cancelling_a_running_job_stops_it_at_its_next_check() -> None:
    scheduler = Scheduler(workers=1, queue_size=0)
    started = threading.Event()
    ticket = scheduler.submit(blocker(threading.Event(), started))
    started.wait(5)
    ticket.cancel()
    with pytest.raises(CancelledError_):
        ticket.future.result(5)
    scheduler.shutdown()


def test_time_limit_scales_with_audio_seconds() -> None:
    policy = TimeoutPolicy(base_seconds=0.1, per_audio_second=0.1)
    assert policy.seconds(10) == pytest.approx(1.1)
    scheduler = Scheduler(workers=1, queue_size=0, policy=policy)
    started = time.monotonic()
    ticket = scheduler.submit(blocker(threading.Event()), audio_seconds=2.0)
    with pytest.raises(TimeoutError_):
        ticket.future.result(5)
    assert 0.25 < time.monotonic() - started < 2.0
    scheduler.shutdown()


def test_shutdown_refuses_new_work_and_stops_running_jobs() -> None:
    scheduler = Scheduler(workers=1, queue_size=1)
    started = threading.Event()
    running = scheduler.submit(blocker(threading.Event(), started))
    started.wait(5)
    scheduler.shutdown(wait=True)
    with pytest.raises(CancelledError_):
        running.future.result(1)
    with pytest.raises(BusyError):
        scheduler.submit(lambda token: None)


def test_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError):
        Scheduler(workers=0, queue_size=1)
