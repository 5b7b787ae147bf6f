"""Background job workers: claim the oldest queued job, transcribe it, store the result.

Each worker thread runs one job at a time. A job is an owner of the engine's batcher like any
request: its speech chunks are decoded in batches with everybody else's, taken round-robin
across owners, so a long job never holds back a short request by more than one batch.
Between segments a worker records progress; a cancel (or the server stopping) drops the
job's queued chunks at once. An error of one job (unreadable audio, a full disk) fails that
job with its reason; the worker goes on.
"""

from __future__ import annotations

import logging
import threading

from stt_engine.audio import AudioStream
from stt_engine.engine import Engine
from stt_engine.engine.prepared import collect
from stt_engine.engine.scheduler import CancelToken, TimeoutPolicy
from stt_engine.errors import CancelledError_, StorageError, SttError
from stt_engine.jobs.record import JobRecord
from stt_engine.jobs.results import write_result
from stt_engine.jobs.store import JobStore
from stt_engine.transcript import Segment, Transcript

log = logging.getLogger(__name__)

_IDLE_SECONDS = 1.0
_FULL_DISK_SECONDS = 2.0  # between tries to write a full disk again
_NO_LIMIT = TimeoutPolicy(base_seconds=float("inf"))


class JobStopped(Exception):
    """The worker is stopping; the job goes back to the queue."""


class JobWorker:
    """``count`` threads that run queued jobs until :meth:`stop`."""

    def __init__(self, store: JobStore, engine: Engine, count: int = 1):
        self.store = store
        self._engine = engine
        self._count = count
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._cancels: dict[str, CancelToken] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.ended = threading.Event()  # set whenever a job ends, for the housekeeper

    def start(self) -> None:
        for index in range(self._count):
            thread = threading.Thread(target=self._loop, name=f"stt-job-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current step; an unfinished job goes back to the queue."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            running = list(self._cancels.values())
        for token in running:
            token.cancel()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def notify(self) -> None:
        """A job was queued: wake an idle worker."""
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Stop a running job now (the store already says cancelled)."""
        with self._lock:
            token = self._cancels.get(job_id)
        if token is not None:
            token.cancel()
        self.ended.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.store.claim_next()
            except Exception:
                log.exception("cannot read the job queue")
                self._stop.wait(_IDLE_SECONDS)
                continue
            if job is None:
                self._wake.wait(_IDLE_SECONDS)
                self._wake.clear()
                continue
            try:
                self._run(job)
            except Exception:
                log.exception("job %s: cannot record its outcome", job.id)
            self.ended.set()

    def _run(self, job: JobRecord) -> None:
        cancel = CancelToken(_NO_LIMIT)
        with self._lock:
            self._cancels[job.id] = cancel
        if self._stop.is_set():
            cancel.cancel()
        log.info("job %s: run %d started (%s)", job.id, job.runs, job.filename)
        try:
            transcript = self._transcribe(job, cancel)
            if transcript is not None:
                self._finish(job, transcript)
        except JobStopped:
            self.store.requeue(job.id, job.runs)
            log.info("job %s: the server is stopping; back in the queue for the next start", job.id)
        except StorageError as exc:  # the disk is full: keep the job for when space returns
            self._hold(job, exc)
        except SttError as exc:
            message = exc.message if not exc.hint else f"{exc.message} ({exc.hint})"
            log.warning("job %s failed: %s", job.id, message)
            self.store.fail(job.id, job.runs, exc.code, message)
        except Exception as exc:
            log.exception("job %s: unexpected error", job.id)
            self.store.fail(job.id, job.runs, "internal_error", f"internal error: {exc!r}")
        finally:
            with self._lock:
                self._cancels.pop(job.id, None)

    def _hold(self, job: JobRecord, exc: StorageError) -> None:
        """Put the job back in the queue, retrying until the store can be written again."""
        log.warning("job %s: %s; it waits in the queue until there is space", job.id, exc.message)
        while not self._stop.is_set():
            try:
                self.store.requeue(job.id, job.runs)
                break
            except StorageError:
                self._stop.wait(_FULL_DISK_SECONDS)
        self._stop.wait(_FULL_DISK_SECONDS)  # do not claim it again at once

    def _transcribe(self, job: JobRecord, cancel: CancelToken) -> Transcript | None:
        """The whole transcript, or None when the job was cancelled on the way."""
        prepared = self._engine.prepare(job.model, job.options)
        audio = AudioStream(job.audio_path, prepared.limits, job.filename)
        total = audio.declared  # None when the container does not say; decoded as it goes
        if not self.store.progress(job.id, job.runs, 0.0, total):
            return None

        def advance(segment: Segment) -> None:
            done = min(segment.end, total) if total else segment.end
            if cancel.cancelled or not self.store.progress(job.id, job.runs, done):
                log.info("job %s: cancelled at %.1f of %.1f s", job.id, done, total or 0.0)
                raise CancelledError_("the job was cancelled")

        try:
            transcription = self._engine.transcribe(audio, prepared, token=cancel, kind="job")
            return collect(transcription, advance)
        except CancelledError_ as exc:
            if self._stop.is_set():
                raise JobStopped from exc
            return None

    def _finish(self, job: JobRecord, transcript: Transcript) -> None:
        path = write_result(self.store.results_dir, job.id, transcript)
        if self.store.succeed(job.id, job.runs, str(path)):
            log.info("job %s: succeeded (%d segments)", job.id, len(transcript.segments))
        else:  # cancelled while the result was being written
            path.unlink(missing_ok=True)
