"""Fixtures: one session-wide live server on 127.0.0.1 and the official ``openai`` client.

Tests that need other settings start their own app with the same Engine (``engine``), so the
model is assembled and loaded once per session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import API_KEY, live_server, make_settings
from openai import OpenAI

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api")
    for name in ("models", "cache", "data", "uploads"):
        (root / name).mkdir()
    return root


@pytest.fixture(scope="session")
def engine(base_dir: Path) -> Engine:
    return Engine(make_settings(base_dir))


@pytest.fixture(scope="session")
def server(base_dir: Path, engine: Engine) -> Iterator[BackgroundServer]:
    with live_server(make_settings(base_dir, queue_size=16), engine) as running:
        yield running


@pytest.fixture(scope="session")
def client(server: BackgroundServer) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY, max_retries=0, timeout=120)
