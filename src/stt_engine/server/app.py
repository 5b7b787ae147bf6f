"""The FastAPI application: ``create_app(settings)`` and its lifespan.

The lifespan makes the upload folder, chooses the device (logging the ``Device: ...`` line),
loads the default model in the background (readiness answers 503 until it is loaded), unloads
idle models periodically, hands the heap's free pages back when the server goes quiet
(idle.py), keeps the event loop's thread ahead of the worker threads (priority.py), and on
exit stops the workers and removes the upload folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from fastapi import FastAPI

from stt_engine import __version__
from stt_engine.config import Settings
from stt_engine.engine import Engine
from stt_engine.engine.scheduler import Scheduler, TimeoutPolicy
from stt_engine.errors import SttError
from stt_engine.server import error_handlers, idle, priority
from stt_engine.server.metrics import Metrics, MetricsMiddleware
from stt_engine.server.request_log import RequestLogMiddleware
from stt_engine.server.routes import (
    client_secrets,
    docs,
    health,
    jobs,
    models,
    realtime,
    speakers,
    transcriptions,
    vocabularies,
    web,
)
from stt_engine.server.state import ServerState
from stt_engine.server.upload_folder import open_upload_folder

log = logging.getLogger(__name__)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The HTTP app; pass an ``engine`` to share loaded models between apps (tests, benches)."""
    policy = TimeoutPolicy(settings.timeout_base_seconds, settings.timeout_per_audio_second)
    state = ServerState(
        settings=settings,
        engine=engine or Engine(settings),
        scheduler=Scheduler(settings.workers, settings.queue_size, policy),
        metrics=Metrics(),
        keys=settings.accepted_keys(),
        upload_folder=Path(tempfile.gettempdir()),
        owns_engine=engine is None,
    )
    app = FastAPI(
        title="stt-engine",
        version=__version__,
        description="OpenAI-compatible speech-to-text (Whisper on CTranslate2).",
        lifespan=lambda _: _lifespan(state),
        docs_url=None,
        redoc_url=None,
    )
    app.state.stt = state
    error_handlers.install(app)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    app.add_middleware(RequestLogMiddleware, stopping=state.stopping.is_set)
    app.add_middleware(idle.ActivityMiddleware, activity=state.activity)
    routes = (
        health, models, transcriptions, jobs, vocabularies, speakers, realtime, client_secrets, docs
    )  # fmt: skip
    for module in routes:
        app.include_router(module.router)
    web.mount(app)
    return app


@contextlib.asynccontextmanager
async def _lifespan(state: ServerState) -> AsyncIterator[None]:
    state.upload_folder = open_upload_folder(state.settings.upload_dir)
    state.metrics.bind(
        state.engine, state.scheduler, lambda: state.jobs.store if state.jobs else None
    )
    jobs.start_jobs(state)
    tasks = [
        asyncio.create_task(_load_default(state)),
        asyncio.create_task(_evict_idle(state)),
        asyncio.create_task(idle.trim_when_idle(state)),
    ]
    try:
        async with priority.loop_first(state.settings.worker_nice):
            yield
    finally:
        for task in tasks:
            task.cancel()
        await jobs.stop_jobs(state)
        state.scheduler.shutdown(wait=False)
        if state.owns_engine:
            state.engine.close()
        shutil.rmtree(state.upload_folder, ignore_errors=True)


async def _load_default(state: ServerState) -> None:
    name = state.settings.default_model
    try:
        state.device = await anyio.to_thread.run_sync(lambda: state.engine.device)
        state.readiness.set(False, f"loading model {name}", starting=True)
        await anyio.to_thread.run_sync(state.engine.load, name)
    except SttError as exc:
        _not_ready(state, f"default model '{name}' failed to load: {exc}")
        return
    except Exception as exc:
        log.exception("loading the default model failed")
        _not_ready(state, f"default model '{name}' failed to load: {type(exc).__name__}: {exc}")
        return
    device = state.device.device if state.device else "?"
    priority.freeze_startup_heap()
    state.readiness.set(True, f"model {name} loaded on {device}")
    log.info("ready: model %s loaded; %s", name, state.device.log_line() if state.device else "")


def _not_ready(state: ServerState, reason: str) -> None:
    log.error(reason)
    state.readiness.set(False, reason)


async def _evict_idle(state: ServerState) -> None:
    ttl = state.settings.model_ttl_seconds
    if ttl <= 0:
        return
    interval = min(max(ttl / 4, 1.0), 60.0)
    while True:
        await asyncio.sleep(interval)
        await anyio.to_thread.run_sync(state.engine.pool.evict_idle)
