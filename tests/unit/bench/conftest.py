"""A tiny real OpenAI-style transcription server on 127.0.0.1 for the load tool's tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Form, Header, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse


@dataclass
class ServerState:
    """What the tiny server saw: requests, the most served at once, the last auth header."""

    url: str = ""
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    authorizations: list[str | None] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


def _app(state: ServerState, delay: float) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/audio/transcriptions")
    async def transcribe(  # type: ignore[no-untyped-def]
        file: UploadFile, model: str = Form(...), authorization: str | None = Header(None)
    ):
        state.requests += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        state.authorizations.append(authorization)
        state.models.append(model)
        try:
            await file.read()
            await asyncio.sleep(1.0 if model == "slow" else delay)
        finally:
            state.in_flight -= 1
        if model == "busy":
            return JSONResponse({"error": {"message": "queue full"}}, status_code=429)
        if model == "plain":
            return PlainTextResponse("not json")
        return {"text": "ok"}

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_url() -> str:
    """A 127.0.0.1 URL nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def tiny_server() -> Iterator[ServerState]:
    import uvicorn

    state = ServerState()
    port = free_port()
    config = uvicorn.Config(_app(state, 0.05), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "tiny server did not start"
    state.url = f"http://127.0.0.1:{port}"
    yield state
    server.should_exit = True
    thread.join(timeout=10)
