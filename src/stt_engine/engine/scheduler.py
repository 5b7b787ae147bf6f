"""A bounded queue in front of worker threads: the one place inference work waits its turn.

``Scheduler.submit(work, audio_seconds=...)`` runs ``work(token)`` on a worker thread and
returns a :class:`Ticket` (a future plus its cancel token). At most ``workers`` jobs run and
at most ``queue_size`` wait; one more raises :class:`BusyError` at once instead of hanging.

Work cooperates with cancellation: it calls ``token.check()`` between steps (between
segments, say), which raises ``CancelledError_`` once the ticket is cancelled (the client went
away) and ``TimeoutError_`` once the job has run longer than its time limit. The limit scales
with the audio: ``base + per_audio_second * audio_seconds``, counted from the moment the job
starts running; work that learns the true duration later calls ``token.set_audio_seconds``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from stt_engine.errors import BusyError, CancelledError_, TimeoutError_

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TimeoutPolicy:
    """How long a job may run: a floor plus seconds per second of audio."""

    base_seconds: float = 60.0
    per_audio_second: float = 2.0

    def seconds(self, audio_seconds: float) -> float:
        return self.base_seconds + self.per_audio_second * max(audio_seconds, 0.0)


class CancelToken:
    """Shared between a waiting caller and the worker running its job."""

    def __init__(self, policy: TimeoutPolicy, audio_seconds: float = 0.0):
        self._policy = policy
        self._audio_seconds = audio_seconds
        self._cancelled = threading.Event()
        self._started: float | None = None
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once when cancelled (at once if it already is)."""
        with self._lock:
            if not self._cancelled.is_set():
                self._callbacks.append(callback)
                return
        callback()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def start(self) -> None:
        self._started = time.monotonic()

    def set_audio_seconds(self, seconds: float) -> None:
        """Rescale the time limit once the real audio duration is known."""
        self._audio_seconds = seconds

    @property
    def limit_seconds(self) -> float:
        return self._policy.seconds(self._audio_seconds)

    def check(self) -> None:
        """Raise if the job should stop: cancelled by its caller, or over its time limit."""
        if self._cancelled.is_set():
            raise CancelledError_("the request was cancelled")
        if self._started is None:
            return
        elapsed = time.monotonic() - self._started
        if elapsed > self.limit_seconds:
            raise TimeoutError_(
                f"processing took longer than the {self.limit_seconds:.0f} s limit "
                f"for {self._audio_seconds:.0f} s of audio",
                hint="raise timeout_base_seconds / timeout_per_audio_second, or submit a job",
            )


@dataclass(frozen=True, slots=True)
class Ticket(Generic[T]):
    """A submitted job: its future (result or error) and its cancel token."""

    future: Future[T]
    token: CancelToken
    audio_seconds: float

    def cancel(self) -> None:
        """Drop the job if it is still waiting; ask it to stop if it runs."""
        self.token.cancel()
        self.future.cancel()


@dataclass(frozen=True, slots=True)
class SchedulerStats:
    workers: int
    queue_size: int
    running: int
    queued: int
    queued_audio_seconds: float


class Scheduler:
    """Runs submitted work on ``workers`` threads with at most ``queue_size`` waiting."""

    def __init__(self, workers: int, queue_size: int, policy: TimeoutPolicy | None = None):
        if workers < 1 or queue_size < 0:
            raise ValueError("workers must be 1 or more and queue_size 0 or more")
        self.workers = workers
        self.queue_size = queue_size
        self.policy = policy or TimeoutPolicy()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stt-worker")
        self._lock = threading.Lock()
        self._waiting: dict[int, float] = {}  # id(token) -> audio seconds, jobs not yet running
        self._running: dict[int, CancelToken] = {}
        self._mean_job_seconds = 0.0
        self._closed = False

    def _check_room_locked(self) -> None:
        if self._closed:
            raise BusyError("the server is shutting down", retry_after=5)
        if len(self._waiting) + len(self._running) >= self.workers + self.queue_size:
            raise BusyError(
                f"all {self.workers} workers are busy and the queue of {self.queue_size} is full",
                retry_after=self._retry_after_locked(),
                hint="retry after the Retry-After seconds, or submit a job",
            )

    def refuse_if_full(self) -> None:
        """BusyError now when no place is free (a request is refused before its upload)."""
        with self._lock:
            self._check_room_locked()

    def submit(self, work: Callable[[CancelToken], T], *, audio_seconds: float = 0.0) -> Ticket[T]:
        """Queue ``work``; raises BusyError when every worker and queue place is taken."""
        token = CancelToken(self.policy, audio_seconds)
        with self._lock:
            self._check_room_locked()
            self._waiting[id(token)] = audio_seconds
        future = self._executor.submit(self._run, work, token)
        future.add_done_callback(lambda _: self._forget(token))
        return Ticket(future, token, audio_seconds)

    def _run(self, work: Callable[[CancelToken], T], token: CancelToken) -> T:
        with self._lock:
            self._waiting.pop(id(token), None)
            self._running[id(token)] = token
        token.start()
        started = time.monotonic()
        try:
            token.check()
            return work(token)
        finally:
            took = time.monotonic() - started
            with self._lock:
                self._running.pop(id(token), None)
                self._mean_job_seconds = 0.8 * self._mean_job_seconds + 0.2 * took

    def _forget(self, token: CancelToken) -> None:
        with self._lock:
            self._waiting.pop(id(token), None)
            self._running.pop(id(token), None)

    def _retry_after_locked(self) -> int:
        ahead = len(self._waiting) + len(self._running)
        estimate = self._mean_job_seconds * ahead / self.workers
        return max(1, math.ceil(estimate))

    def stats(self) -> SchedulerStats:
        with self._lock:
            return SchedulerStats(
                workers=self.workers,
                queue_size=self.queue_size,
                running=len(self._running),
                queued=len(self._waiting),
                queued_audio_seconds=sum(self._waiting.values()),
            )

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work, drop waiting jobs and ask running ones to stop."""
        with self._lock:
            self._closed = True
            running = list(self._running.values())
        for token in running:
            token.cancel()
        self._executor.shutdown(wait=wait, cancel_futures=True)
