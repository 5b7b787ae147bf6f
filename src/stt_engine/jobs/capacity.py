"""Job inference on the server's scheduler, one short step at a time, behind waiting requests.

The rule that keeps jobs from starving synchronous requests: a job never holds an inference
worker for more than one step (decoding the file, starting the transcription, or producing
the next segment, i.e. at most one 30-second window of audio), and before each step it lets
requests already waiting in the scheduler's queue go first (for up to ``yield_seconds``, so
jobs still progress under constant load). When the queue is full, the job waits; it never
takes the last place from a request, because a request that finds the queue full is refused.
A synchronous request therefore waits at most one job step per job worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import TypeVar

from stt_engine.engine.scheduler import CancelToken, Scheduler
from stt_engine.errors import BusyError

T = TypeVar("T")
_POLL_SECONDS = 0.05


class JobStopped(Exception):
    """The worker is stopping; the step was not run."""


class SharedCapacity:
    """Runs steps of background jobs on a scheduler shared with synchronous requests."""

    def __init__(self, scheduler: Scheduler, stop: threading.Event, yield_seconds: float = 5.0):
        self._scheduler = scheduler
        self._stop = stop
        self._yield_seconds = yield_seconds

    def run(self, step: Callable[[], T]) -> T:
        """Run ``step`` on a scheduler worker and return its result (or raise its error)."""
        self._yield_to_requests()
        while True:
            if self._stop.is_set():
                raise JobStopped
            try:
                ticket = self._scheduler.submit(_ignore_token(step))
                break
            except BusyError:
                self._stop.wait(0.2)
        try:
            return ticket.future.result()
        except CancelledError as exc:  # the scheduler shut down before the step ran
            raise JobStopped from exc

    def _yield_to_requests(self) -> None:
        deadline = time.monotonic() + self._yield_seconds
        while self._scheduler.stats().queued > 0 and time.monotonic() < deadline:
            if self._stop.wait(_POLL_SECONDS):
                raise JobStopped


def _ignore_token(step: Callable[[], T]) -> Callable[[CancelToken], T]:
    def work(_: CancelToken) -> T:
        return step()

    return work
