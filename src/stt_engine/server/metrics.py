"""Prometheus metrics, one registry per app, and the middleware that counts requests.

Request counts and latency are labelled by route template (``/v1/models/{model_id}``), never
by raw path, so unknown URLs cannot blow up the label set. Queue depth, busy workers, loaded
models, GPU memory, the process's resident memory and the C heap's bytes in use are read when
scraped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stt_engine import heap
from stt_engine.doctor.nvml import GpuReader
from stt_engine.engine import Engine
from stt_engine.engine.scheduler import Scheduler
from stt_engine.jobs.record import STATUSES
from stt_engine.jobs.store import JobStore

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)
_RTF_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5)

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]


class Metrics:
    """The app's metrics; ``bind`` adds the live gauges once the engine exists."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "stt_http_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stt_http_request_duration_seconds",
            "HTTP request latency by route, in seconds.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.audio_seconds = Counter(
            "stt_audio_seconds_processed",
            "Seconds of audio transcribed, by model.",
            ["model"],
            registry=self.registry,
        )
        self.real_time_factor = Histogram(
            "stt_real_time_factor",
            "Processing seconds per audio second (decode + inference), by model.",
            ["model"],
            buckets=_RTF_BUCKETS,
            registry=self.registry,
        )
        self.realtime_open = Gauge(
            "stt_realtime_sessions_open",
            "Live WebSocket sessions open now.",
            registry=self.registry,
        )
        self.realtime_refused = Counter(
            "stt_realtime_sessions_refused",
            "Live sessions refused, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.realtime_closed = Counter(
            "stt_realtime_sessions_closed",
            "Live sessions the server closed, by reason (a limit or a fault).",
            ["reason"],
            registry=self.registry,
        )
        self.realtime_audio = Counter(
            "stt_realtime_audio_seconds",
            "Seconds of audio received by live sessions.",
            registry=self.registry,
        )
        self.realtime_partial = Histogram(
            "stt_realtime_partial_latency_seconds",
            "Seconds from a partial pass's start (its audio received) to its delta being sent.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.realtime_completed = Histogram(
            "stt_realtime_completed_latency_seconds",
            "Seconds from a turn's commit to its completed event.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.heap_trims = Counter(
            "stt_heap_trims",
            "Times the heap's free pages were handed back after the server went quiet.",
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes and others

    def bind(
        self, engine: Engine, scheduler: Scheduler, jobs: Callable[[], JobStore | None]
    ) -> None:
        """Read live figures at scrape time; ``jobs`` gives the job store once it is open."""
        self.registry.register(_LiveCollector(engine, scheduler, jobs))

    def observe_transcription(self, model: str, audio_seconds: float, seconds: float) -> None:
        self.audio_seconds.labels(model).inc(audio_seconds)
        if audio_seconds > 0:
            self.real_time_factor.labels(model).observe(seconds / audio_seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _LiveCollector(Collector):
    """Gauges read at scrape time from the scheduler, the model pool and the GPU."""

    def __init__(self, engine: Engine, scheduler: Scheduler, jobs: Callable[[], JobStore | None]):
        self._engine = engine
        self._scheduler = scheduler
        self._jobs = jobs
        self._gpu: GpuReader | None = None

    def collect(self) -> Iterator[Metric]:
        stats = self._scheduler.stats()
        yield _gauge("stt_queue_depth", "Requests waiting for a worker.", stats.queued)
        yield _gauge("stt_workers_busy", "Workers running a request.", stats.running)
        yield _gauge("stt_workers", "Inference workers.", stats.workers)
        yield from self._batcher()
        masked = CounterMetricFamily(
            "stt_redactions", "Personal data items masked, by kind.", labels=["kind"]
        )
        for kind, count in sorted(self._engine.redactions().items()):
            masked.add_metric([kind], count)
        yield masked
        loaded = self._engine.pool.loaded()
        yield _gauge("stt_models_loaded", "Models loaded now.", len(loaded))
        load_time = GaugeMetricFamily(
            "stt_model_load_seconds", "Seconds each loaded model took to load.", labels=["model"]
        )
        for name, seconds in loaded.items():
            load_time.add_metric([name], seconds)
        yield load_time
        yield from self._gpu_memory()
        yield from self._job_figures()
        in_use = heap.in_use()
        if in_use is not None:
            yield _gauge(
                "stt_heap_in_use_bytes",
                "Bytes the C heap holds for the server (free pages kept for reuse not counted).",
                in_use,
            )

    def _job_figures(self) -> Iterator[Metric]:
        store = self._jobs()
        if store is None:
            return
        counts, oldest = store.counts()
        jobs = GaugeMetricFamily("stt_jobs", "Jobs in the store, by status.", labels=["status"])
        for status in STATUSES:
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs
        age = max(0.0, time.time() - oldest) if oldest is not None else 0.0
        yield _gauge(
            "stt_jobs_oldest_queued_age_seconds", "Age of the oldest queued job, seconds.", age
        )

    def _batcher(self) -> Iterator[Metric]:
        stats = self._engine.batch_stats()
        if stats is None:
            return
        yield _gauge(
            "stt_batch_owners", "Requests and jobs with chunks in the batcher.", stats.owners
        )
        yield _gauge(
            "stt_batch_queued_chunks", "Speech chunks waiting for a batch.", stats.queued_chunks
        )
        yield _gauge(
            "stt_batch_running_chunks", "Speech chunks being decoded.", stats.running_chunks
        )
        batches = CounterMetricFamily("stt_batches", "Decoder batches run.")
        batches.add_metric([], stats.batches)
        yield batches
        chunks = CounterMetricFamily("stt_batch_chunks", "Speech chunks decoded in batches.")
        chunks.add_metric([], stats.chunks_decoded)
        yield chunks

    def _gpu_memory(self) -> Iterator[Metric]:
        device = self._engine.device
        if device.device != "cuda":
            return
        if self._gpu is None:
            self._gpu = GpuReader()
        reading = self._gpu.memory(device.device_index)
        if reading is not None:
            yield _gauge("stt_gpu_memory_used_bytes", "GPU memory in use, bytes.", reading[0])
            yield _gauge("stt_gpu_memory_total_bytes", "GPU memory in total, bytes.", reading[1])


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class MetricsMiddleware:
    """Pure ASGI middleware (it does not buffer streamed responses)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
