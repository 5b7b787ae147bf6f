"""The OpenAI-compatible HTTP server: ``create_app(settings)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from stt_engine.config import Settings
    from stt_engine.engine import Engine

__all__ = ["create_app"]


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the app (imports FastAPI and the engine only when called)."""
    from stt_engine.server.app import create_app as build

    return build(settings, engine)
