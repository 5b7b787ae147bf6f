"""The server's stop as a live session sees it: its next message, or word that the server is
stopping (then it finishes its turn and closes with 1001; see graceful.py)."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from starlette.websockets import WebSocket


class Stopping(Exception):
    """The server is stopping: the session finishes its turn and closes with 1001."""


async def receive_or_stop(
    websocket: WebSocket, stopping: asyncio.Event, timeout: float
) -> MutableMapping[str, Any]:
    """The next client message; TimeoutError after ``timeout``; Stopping when the server
    stops first."""
    if stopping.is_set():
        raise Stopping
    receiving = asyncio.ensure_future(websocket.receive())
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        done, _ = await asyncio.wait(
            {receiving, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopped.cancel()
        if not receiving.done():
            receiving.cancel()  # nothing was taken from the connection's queue yet
    if receiving in done:
        return receiving.result()
    if stopped in done:
        raise Stopping
    raise TimeoutError
