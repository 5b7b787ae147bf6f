"""Shared pieces of the API tests: audio paths, settings and a live-server helper."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from speech_corpus import AUDIO
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.config import Settings
from stt_engine.engine import Engine
from stt_engine.server import create_app
from stt_engine.server.upload_folder import PID_FILE

JFK = AUDIO / "en/whisper_jfk.flac"
LONG_EN = AUDIO / "en/derived/long_en_read_mix.flac"
KO_CLIP = AUDIO / "ko/emotiontts/Main/main/lmy/lmy01002.flac"
KO_SPAGHETTI = AUDIO / "ko/emotiontts/Main/main/lmy/lmy02044.flac"  # "전 스파게티 좋아해요."
API_KEY = "test-key-1"


def not_audio(size: int) -> bytes:
    """Bytes FFmpeg cannot read as audio, the same every run. Fresh random bytes are not: about
    one draw in 200 parses as a container with no audio stream, a different error."""
    return random.Random(f"not audio {size}").randbytes(size)


def reference(path: Path) -> str:
    """The manifest's reference text for an audio file."""
    wanted = str(path.relative_to(AUDIO))
    for line in (AUDIO / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["audio_filepath"] == wanted:
            return str(entry["text"])
    raise KeyError(wanted)


def make_settings(base_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "models_dir": base_dir / "models",
        "cache_dir": base_dir / "cache",
        "data_dir": base_dir / "data",
        "upload_dir": base_dir / "uploads",
        "device": "cpu",
        "max_upload_mb": 8.0,
        "max_audio_seconds": 120.0,
        "api_keys": [API_KEY],
        "model_ttl_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def live_server(settings: Settings, engine: Engine | None = None) -> Iterator[BackgroundServer]:
    """A started, ready server for the settings (it removes its upload folder on exit)."""
    with BackgroundServer(create_app(settings, engine), settings=settings) as server:
        server.wait_ready()
        yield server


def upload_files(base_dir: Path) -> list[Path]:
    """Files left in the upload folders (there should be none between requests)."""
    files = (base_dir / "uploads").rglob("*")
    return [p for p in files if p.is_file() and p.name != PID_FILE]
