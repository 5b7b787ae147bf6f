"""One alias table: ``whisper-1`` is the configured default model for the registry (and so the
CLI, routes and jobs), for GET /v1/models and for realtime sessions."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from stt_engine.config import Settings
from stt_engine.models import ModelRegistry, aliases
from stt_engine.models.catalog import HUB, PACKAGED
from stt_engine.realtime.decoder import model_name
from stt_engine.server import create_app


def _settings(tmp_path: Path, default: str) -> Settings:
    return Settings(models_dir=tmp_path / "m", cache_dir=tmp_path / "c", default_model=default)


def test_whisper_1_is_the_configured_default_for_the_registry(tmp_path: Path) -> None:
    for default in ("base", "tiny.en"):
        registry = ModelRegistry(_settings(tmp_path, default))
        assert registry.canonical("whisper-1") == default
        assert registry.resolve("whisper-1").name == default
    registry = ModelRegistry(_settings(tmp_path, "tiny.en"))
    assert registry.canonical("openai/whisper-base") == "base"
    assert all(registry.canonical(repo) == short for short, repo in HUB.items())


def test_every_alias_names_a_known_model_or_the_default() -> None:
    known = set(PACKAGED) | set(HUB)
    assert all(target == aliases.DEFAULT or target in known for target in aliases.ALIASES.values())


def test_models_list_whisper_1_under_the_default_only(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, "tiny.en"))
    listed = TestClient(app).get("/v1/models").json()["data"]
    by_id = {entry["id"]: entry for entry in listed}
    assert "whisper-1" in by_id["tiny.en"]["aliases"]
    assert "whisper-1" not in by_id["base"]["aliases"]
    assert by_id["whisper-1"]["root"] == "tiny.en"
    assert TestClient(app).get("/v1/models/whisper-1").json()["root"] == "tiny.en"


def test_realtime_sessions_read_the_same_table(tmp_path: Path) -> None:
    registry = ModelRegistry(_settings(tmp_path, "tiny.en"))
    assert registry.canonical(model_name("whisper-1")) == "tiny.en"
    assert registry.canonical(model_name("whisper-1-diarize")) == "tiny.en"
    assert model_name("gpt-4o-transcribe-2025-03-20") is None
    assert registry.canonical(model_name("whisper-base-diarize")) == "base"
