"""Background job workers: claim the oldest queued job, transcribe it, store the result.

Each worker thread runs one job at a time through :class:`SharedCapacity` (see its docstring
for how jobs share inference with synchronous requests). Between segments a worker records
progress and looks for a cancel; a cancelled job stops at its next segment. An error of one
job (unreadable audio, a full disk) fails that job with its reason; the worker goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from stt_engine.audio import AudioStream
from stt_engine.engine import Engine
from stt_engine.engine.scheduler import Scheduler
from stt_engine.errors import SttError
from stt_engine.jobs.capacity import JobStopped, SharedCapacity
from stt_engine.jobs.record import JobRecord
from stt_engine.jobs.results import write_result
from stt_engine.jobs.store import JobStore
from stt_engine.transcript import Segment, Transcript

log = logging.getLogger(__name__)

_IDLE_SECONDS = 1.0


class JobWorker:
    """``count`` threads that run queued jobs until :meth:`stop`."""

    def __init__(self, store: JobStore, engine: Engine, scheduler: Scheduler, count: int = 1):
        self.store = store
        self._engine = engine
        self._count = count
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._capacity = SharedCapacity(scheduler, self._stop)
        self._cancels: dict[str, threading.Event] = {}
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
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def notify(self) -> None:
        """A job was queued: wake an idle worker."""
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Ask a running job to stop at its next segment (the store already says cancelled)."""
        with self._lock:
            event = self._cancels.get(job_id)
        if event is not None:
            event.set()
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
        cancel = threading.Event()
        with self._lock:
            self._cancels[job.id] = cancel
        log.info("job %s: run %d started (%s)", job.id, job.runs, job.filename)
        try:
            transcript = self._transcribe(job, cancel)
            if transcript is not None:
                self._finish(job, transcript)
        except JobStopped:
            self.store.requeue(job.id, job.runs)
        except SttError as exc:
            message = exc.message if not exc.hint else f"{exc.message} ({exc.hint})"
            message = message.replace(Path(job.audio_path).name, job.filename)
            log.warning("job %s failed: %s", job.id, message)
            self.store.fail(job.id, job.runs, exc.code, message)
        except Exception as exc:
            log.exception("job %s: unexpected error", job.id)
            self.store.fail(job.id, job.runs, "internal_error", f"internal error: {exc!r}")
        finally:
            with self._lock:
                self._cancels.pop(job.id, None)

    def _transcribe(self, job: JobRecord, cancel: threading.Event) -> Transcript | None:
        """The whole transcript, or None when the job was cancelled on the way."""
        limits = self._engine.limits()
        audio = self._capacity.run(lambda: AudioStream(job.audio_path, limits))
        total = audio.declared  # None when the container does not say; decoded as it goes
        if not self.store.progress(job.id, job.runs, 0.0, total):
            return None
        segments, info = self._capacity.run(
            lambda: self._engine.transcribe(audio, job.options, job.model)
        )
        collected: list[Segment] = []
        try:
            for segment in self._steps(segments):
                collected.append(segment)
                done = min(segment.end, total) if total else segment.end
                if cancel.is_set() or not self.store.progress(job.id, job.runs, done):
                    log.info("job %s: cancelled at %.1f of %.1f s", job.id, done, total)
                    return None
        finally:
            segments.close()  # type: ignore[attr-defined]
        if audio.decoded_seconds is not None:
            info = replace(info, duration=audio.decoded_seconds)
        return Transcript(info=info, segments=tuple(collected))

    def _steps(self, segments: Iterator[Segment]) -> Iterator[Segment]:
        """Each next segment computed as one step on the shared capacity."""
        while (segment := self._capacity.run(lambda: next(segments, None))) is not None:
            yield segment

    def _finish(self, job: JobRecord, transcript: Transcript) -> None:
        path = write_result(self.store.results_dir, job.id, transcript)
        if self.store.succeed(job.id, job.runs, str(path)):
            log.info("job %s: succeeded (%d segments)", job.id, len(transcript.segments))
        else:  # cancelled while the result was being written
            path.unlink(missing_ok=True)
