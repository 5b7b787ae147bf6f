"""Fixtures shared by every test folder: the real speech corpus and a real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = (ROOT / ".." / "shared" / "audio").resolve()


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    """../shared/audio beside the checkout: real speech with reference transcripts."""
    assert (SHARED_AUDIO / "manifest.jsonl").is_file(), (
        f"the speech corpus is expected at {SHARED_AUDIO} (../shared/audio from the repo root)"
    )
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def manifest(audio_dir: Path) -> list[dict[str, object]]:
    lines = (audio_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def jfk(audio_dir: Path) -> Path:
    return audio_dir / "en" / "whisper_jfk.flac"


@pytest.fixture(scope="session")
def engine_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings on the CPU with a private models/cache dir (the packaged models still resolve)."""
    from stt_engine.config import Settings

    base = tmp_path_factory.mktemp("engine")
    return Settings(
        models_dir=base / "models", cache_dir=base / "cache", data_dir=base / "data", device="cpu"
    )


@pytest.fixture(scope="session")
def engine(engine_settings):  # type: ignore[no-untyped-def]
    from stt_engine.engine import Engine

    return Engine(engine_settings)
