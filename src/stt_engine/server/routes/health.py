"""Liveness (/health), readiness (/health/ready, /ready) and Prometheus metrics (/metrics).

None of these need an API key, and none touches a worker: /health answers while every
worker is busy.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from stt_engine import __version__
from stt_engine.server.metrics import CONTENT_TYPE
from stt_engine.server.state import ServerState, StateDep

router = APIRouter(tags=["health"])


def _report(state: ServerState) -> dict[str, object]:
    ready, reason = state.readiness.get()
    stats = state.scheduler.stats()
    device = state.device
    return {
        "status": "ok",
        "ready": ready,
        "reason": reason,
        "version": __version__,
        "device": device.device if device else None,
        "compute_type": device.compute_type if device else None,
        "device_name": device.name if device else None,
        "device_reason": device.reason if device else None,
        "default_model": state.settings.default_model,
        "workers": stats.workers,
        "workers_busy": stats.running,
        "queue_size": stats.queue_size,
        "queued": stats.queued,
        "batch": _batch(state),
    }


def _batch(state: ServerState) -> dict[str, object] | None:
    stats = state.engine.batch_stats()
    if stats is None:
        return None
    return {
        "max_batch": state.engine.batcher.settings.max_batch,
        "queued_chunks": stats.queued_chunks,
        "running_chunks": stats.running_chunks,
        "batches": stats.batches,
        "mean_batch": round(stats.mean_batch, 2),
    }


@router.get("/health", summary="Liveness")
async def health(state: StateDep) -> dict[str, object]:
    return _report(state)


async def _ready(state: ServerState) -> JSONResponse:
    body = _report(state)
    if not body["ready"]:
        body["status"] = "not_ready"
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(body)


@router.get("/health/ready", summary="Readiness: 503 until the default model is loaded")
async def health_ready(state: StateDep) -> JSONResponse:
    return await _ready(state)


@router.get("/ready", summary="Readiness (alias of /health/ready)")
async def ready(state: StateDep) -> JSONResponse:
    return await _ready(state)


@router.get("/metrics", summary="Prometheus metrics")
def metrics(state: StateDep) -> Response:
    return Response(state.metrics.render(), media_type=CONTENT_TYPE)
