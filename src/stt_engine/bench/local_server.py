"""The benchmarks' server: the app in a background thread of this process, on a free port.

The latency benchmarks and scripts/bench start the server this way (the tests borrow it);
``stt-engine serve`` is the server users run.

::

    with BackgroundServer(create_app(settings)) as server:
        server.wait_ready()
        httpx.get(server.url + "/health")
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from stt_engine.config import Settings
from stt_engine.server.protocols import uvicorn_options


class BackgroundServer:
    """uvicorn serving an ASGI app from a daemon thread; ``url`` is known once started.

    With ``settings``, the server has the limits ``stt-engine serve`` has (slow requests,
    WebSocket pings).
    """

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, settings: Settings | None = None
    ):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        limits = uvicorn_options(settings) if settings is not None else {"timeout_keep_alive": 30}
        config = uvicorn.Config(app, log_level="warning", lifespan="on", **limits)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until /health/ready answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health/ready", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.url} was not ready within {timeout:.0f} s")

    def stop(self, timeout: float = 30.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
