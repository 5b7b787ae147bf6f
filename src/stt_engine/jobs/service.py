"""The job service the server holds: store, workers and a housekeeper, started and stopped once.

At start, jobs a crash left ``running`` go back to the queue, and files no job refers to
(uploads of a submission that never committed, half-written results) are removed. The
housekeeper removes uploaded audio once a job has ended and ``job_retention_seconds`` passed,
and delivers webhooks.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from stt_engine.config import Settings
from stt_engine.engine import Engine
from stt_engine.jobs.record import JobRecord, JobSpec
from stt_engine.jobs.results import remove_partials
from stt_engine.jobs.store import JobStore
from stt_engine.jobs.webhooks import WebhookSender
from stt_engine.jobs.worker import JobWorker

log = logging.getLogger(__name__)

_TICK_SECONDS = 0.5


class JobService:
    def __init__(self, settings: Settings, engine: Engine):
        self.settings = settings
        self.store = JobStore(settings.data_dir)
        self.worker = JobWorker(self.store, engine, settings.job_workers)
        self._webhooks = WebhookSender(self.store, settings)
        self._stop = threading.Event()
        self._housekeeper = threading.Thread(
            target=self._housekeep, name="stt-job-housekeeper", daemon=True
        )

    def start(self) -> None:
        requeued = self.store.requeue_interrupted()
        if requeued:
            log.warning("%d job(s) interrupted by a stop were queued again", requeued)
        remove_partials(self.store.results_dir)
        self._remove_orphan_uploads()
        self.worker.start()
        self._housekeeper.start()

    def stop(self) -> None:
        self.worker.stop()
        self._stop.set()
        self.worker.ended.set()
        if self._housekeeper.is_alive():
            self._housekeeper.join(30)
        self._webhooks.close()
        self.store.close()

    def submit(self, spec: JobSpec) -> tuple[JobRecord, bool]:
        """Queue a job (or find the one with the same Idempotency-Key)."""
        job, created = self.store.create(spec)
        if created:
            self.worker.notify()
        return job, created

    def cancel(self, job_id: str, owner: str | None = None) -> JobRecord:
        job = self.store.cancel(job_id, owner)
        self.worker.cancel(job_id)
        return job

    def delete(self, job_id: str, owner: str | None = None) -> JobRecord:
        """Remove an ended job with its result and its uploaded audio."""
        job = self.store.delete(job_id, owner)
        _remove_files(job, self.store.uploads_dir)
        return job

    def sweep(self) -> None:
        """Apply both retentions and deliver due webhooks (the housekeeper's round)."""
        now = time.time()
        for job in self.store.audio_to_remove(now - self.settings.job_retention_seconds):
            _remove_upload(Path(job.audio_path), self.store.uploads_dir)
            self.store.mark_audio_removed(job.id)
        keep = self.settings.job_result_retention_seconds
        if keep > 0:
            for job_id in self.store.expired(now - keep):
                self.delete(job_id)
        self._webhooks.deliver_due()

    def _housekeep(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep()
            except Exception:
                log.exception("job housekeeping failed")
            self.worker.ended.wait(_TICK_SECONDS)
            self.worker.ended.clear()

    def _remove_orphan_uploads(self) -> None:
        kept = self.store.kept_uploads()
        for path in self.store.uploads_dir.iterdir():
            if str(path) not in kept:
                path.unlink(missing_ok=True)


def _remove_files(job: JobRecord, uploads_dir: Path) -> None:
    if job.result_path is not None:
        Path(job.result_path).unlink(missing_ok=True)
    if job.source == "upload":
        _remove_upload(Path(job.audio_path), uploads_dir)


def _remove_upload(path: Path, uploads_dir: Path) -> None:
    """Remove a job's upload; files outside the uploads folder are never touched."""
    if path.parent.resolve() == uploads_dir.resolve():
        path.unlink(missing_ok=True)
