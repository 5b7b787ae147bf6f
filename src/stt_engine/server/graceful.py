"""Serving with a graceful stop: uvicorn's server, with the stop a speech server needs.

On the first SIGTERM or SIGINT:

1. the listening socket closes, so new connections are refused at once; a request that still
   reaches the app on an open keep-alive connection is answered 503 with ``Retry-After``
   (request_log.py), and readiness answers 503;
2. live sessions commit the turn in progress, send its ``completed`` and close with 1001
   (going away); the drain waits for them;
3. uvicorn closes idle connections and waits for the requests in flight for what is left of
   ``drain_seconds`` (its ``timeout_graceful_shutdown``), then cancels those still running;
4. the app's lifespan ends: a running job goes back to the queue (the next start resumes it),
   the workers stop;
5. uvicorn raises the signal again, so the process ends as killed by it: exit status 143 for
   SIGTERM (130 for SIGINT) as a shell or systemd reports it; -15 in Python's subprocess. As
   PID 1 in a container (where the kernel ignores that signal's default action) it exits 0.

A second signal during the drain ends the process at once (the signal's default action, or
exit status 128 + the signal as PID 1); jobs it leaves running are put back in the queue when
the server next starts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
import time
from types import FrameType
from typing import Any

import uvicorn

from stt_engine.server.state import ServerState

log = logging.getLogger(__name__)
_POLL_SECONDS = 0.05


class DrainingServer(uvicorn.Server):
    """uvicorn's server with the drain above; ``state`` is the app's ServerState."""

    def __init__(self, config: uvicorn.Config, state: ServerState, drain_seconds: float):
        super().__init__(config)
        self.state = state
        self.drain_seconds = drain_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            log.warning("second %s: stopping now", signal.Signals(sig).name)
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)
            os._exit(128 + sig)  # still here: PID 1 in a container ignores its default action
        log.info(
            "%s: stopping; requests and live sessions in flight have %.0f s to finish "
            "(a second signal stops at once)",
            signal.Signals(sig).name,
            self.drain_seconds,
        )
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        deadline = time.monotonic() + self.drain_seconds
        for server in self.servers:
            server.close()  # refuse new connections now, not after the live sessions
        self.state.begin_stop()
        log.info("no longer accepting connections")
        await _sessions_closed(self.state, deadline)
        # uvicorn's field is typed int; whole seconds (rounded up) are precise enough here
        self.config.timeout_graceful_shutdown = math.ceil(max(deadline - time.monotonic(), 0.0))
        await super().shutdown(sockets)


async def _sessions_closed(state: ServerState, deadline: float) -> None:
    """Wait until every live session has closed, or the deadline."""
    if state.realtime_sessions:
        log.info("waiting for %d live session(s) to finish their turn", state.realtime_sessions)
    while state.realtime_sessions and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_SECONDS)


def serve(app: Any, drain_seconds: float, **options: Any) -> None:
    """Run ``app`` (a create_app app) until a signal, with the drain; ``options`` go to
    ``uvicorn.Config``."""
    config = uvicorn.Config(app, timeout_graceful_shutdown=math.ceil(drain_seconds), **options)
    DrainingServer(config, app.state.stt, drain_seconds).run()
