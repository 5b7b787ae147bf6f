"""What the routes share: settings, engine, scheduler, metrics, keys and readiness."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from stt_engine.config import Settings
from stt_engine.engine import DeviceChoice, Engine
from stt_engine.engine.scheduler import Scheduler
from stt_engine.server.idle import Activity
from stt_engine.server.metrics import Metrics

if TYPE_CHECKING:
    from stt_engine.jobs.service import JobService


@dataclass
class Readiness:
    """Whether the default model is loaded; the reason when it is not."""

    ready: bool = False
    reason: str = "starting"
    starting: bool = True  # the first load of the default model has not finished
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, ready: bool, reason: str, *, starting: bool = False) -> None:
        with self._lock:
            self.ready, self.reason, self.starting = ready, reason, starting

    def get(self) -> tuple[bool, str]:
        with self._lock:
            return self.ready, self.reason


@dataclass
class ServerState:
    settings: Settings
    engine: Engine
    scheduler: Scheduler
    metrics: Metrics
    keys: frozenset[str]
    upload_folder: Path
    readiness: Readiness = field(default_factory=Readiness)
    device: DeviceChoice | None = None  # set once the lifespan has chosen it
    jobs: JobService | None = None  # background jobs, started by the lifespan
    owns_engine: bool = True  # False when the engine is shared with other apps
    realtime_sessions: int = 0  # live WebSocket sessions open (changed on the event loop only)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)  # set on SIGTERM/SIGINT
    activity: Activity = field(default_factory=Activity)  # requests and connections open

    def begin_stop(self) -> None:
        """The server is stopping: refuse new work, let live sessions finish their turn."""
        self.readiness.set(False, "the server is shutting down")
        self.stopping.set()


def server_state(request: Request) -> ServerState:
    """FastAPI dependency: the app's shared state."""
    state = request.app.state.stt
    assert isinstance(state, ServerState)
    return state


StateDep = Annotated[ServerState, Depends(server_state)]
