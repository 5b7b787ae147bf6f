"""A request is prepared once: its model resolved and its vocabulary read once per request,
at the route (and, for a job, once more when the worker runs it), counted on the live server.
A client can never name a model by a filesystem path."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import API_KEY

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine

AUTH = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def calls(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the engine resolves a model and reads a vocabulary (the real methods run)."""
    counted: Counter[str] = Counter()

    def counting(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return method(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(engine.registry, "resolve", counting("resolve", engine.registry.resolve))
    monkeypatch.setattr(
        engine.vocabularies, "load", counting("vocabulary", engine.vocabularies.load)
    )
    return counted


@pytest.fixture
def vocabulary(server: BackgroundServer) -> Iterator[str]:
    body = {"terms": ["Kennedy"], "replacements": {"fellow": "fellow"}}
    response = httpx.put(f"{server.url}/v1/vocabularies/once", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    yield "once"
    httpx.delete(f"{server.url}/v1/vocabularies/once", headers=AUTH)


def _post(server: BackgroundServer, clip: Path, **fields: str) -> httpx.Response:
    with clip.open("rb") as audio:
        return httpx.post(
            f"{server.url}/v1/audio/transcriptions",
            files={"file": (clip.name, audio, "audio/wav")},
            data={"model": "whisper-1", "language": "en", **fields},
            headers=AUTH,
            timeout=120,
        )


@pytest.mark.parametrize("stream", ["false", "true"])
def test_a_transcription_resolves_its_model_and_reads_its_vocabulary_once(
    server: BackgroundServer, jfk: Path, vocabulary: str, calls: Counter[str], stream: str
) -> None:
    response = _post(server, jfk, vocabulary=vocabulary, stream=stream)
    assert response.status_code == 200, response.text
    assert "country" in response.text
    assert calls == {"resolve": 1, "vocabulary": 1}


def test_a_refused_vocabulary_is_read_once_and_nothing_is_decoded(
    server: BackgroundServer, jfk: Path, calls: Counter[str]
) -> None:
    response = _post(server, jfk, vocabulary="no-such-vocabulary")
    assert response.status_code == 404 and response.json()["error"]["param"] == "vocabulary"
    assert calls == {"resolve": 1, "vocabulary": 1}


@pytest.mark.parametrize("name", ["REAL_FOLDER", "../models/base", "/tmp", "./base", "..\\base"])
def test_a_client_cannot_name_a_model_by_path(
    server: BackgroundServer, engine: Engine, jfk: Path, name: str
) -> None:
    if name == "REAL_FOLDER":  # a folder the CLI would load: still not a client's to name
        name = str(engine.registry.resolve("base").path.resolve())
    with jfk.open("rb") as audio:
        response = httpx.post(
            f"{server.url}/v1/audio/transcriptions",
            files={"file": (jfk.name, audio, "audio/wav")},
            data={"model": name},
            headers=AUTH,
            timeout=60,
        )
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["param"] == "model"
    assert "GET /v1/models" in error["message"]
    assert str(engine.settings.models_dir) not in error["message"]
