"""Fixtures for the PyTorch backend: a Hugging Face checkpoint made from the packaged weights.

No checkpoint can be downloaded on the test machines, so the packaged CTranslate2 base model
(the real Whisper base weights) is written out once per session in the Hugging Face layout
(``whisper_export.py``), into a models folder where it is the default model.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import API_KEY, live_server, make_settings
from openai import OpenAI
from whisper_export import export_hf

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.config import Settings
from stt_engine.engine import Engine
from stt_engine.models import ModelRegistry

HF_NAME = "whisper-base-hf"


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("torch")
    for name in ("models", "cache", "data", "uploads"):
        (root / name).mkdir()
    return root


@pytest.fixture(scope="session")
def ct2_base(base_dir: Path) -> Path:
    """The packaged CTranslate2 base model's folder."""
    return ModelRegistry(make_settings(base_dir)).resolve("base").path


@pytest.fixture(scope="session")
def hf_base(base_dir: Path, ct2_base: Path) -> Path:
    """The same weights as a Hugging Face Whisper checkpoint, in the models folder."""
    return export_hf(ct2_base, base_dir / "models" / HF_NAME)


@pytest.fixture(scope="session")
def torch_settings(base_dir: Path, hf_base: Path) -> Settings:
    return make_settings(base_dir, backend="torch", default_model=HF_NAME, queue_size=16)


@pytest.fixture(scope="session")
def engine(torch_settings: Settings) -> Engine:
    """An engine whose default model is the checkpoint, on the PyTorch backend."""
    return Engine(torch_settings)


@pytest.fixture(scope="session")
def ct2_engine(base_dir: Path) -> Engine:
    return Engine(make_settings(base_dir))


@pytest.fixture(scope="session")
def ct2_full_engine(base_dir: Path) -> Engine:
    """CTranslate2 in Whisper's full 30 s window: faster-whisper's own reading, the reference
    for word times (in a fitted window CTranslate2's alignment can start a word after a pause
    up to half a second early)."""
    return Engine(make_settings(base_dir, fitted_windows="off"))


@pytest.fixture(scope="session")
def full_engine(torch_settings: Settings) -> Engine:
    """The checkpoint on the PyTorch backend, every chunk in Whisper's full 30 s window."""
    return Engine(torch_settings.model_copy(update={"fitted_windows": "off"}))


@pytest.fixture(scope="session")
def fitted_engine(torch_settings: Settings) -> Engine:
    """The checkpoint on the PyTorch backend, every chunk encoded in a fitted window."""
    return Engine(torch_settings.model_copy(update={"fitted_windows": "all"}))


@pytest.fixture(scope="session")
def ct2_fitted_engine(base_dir: Path) -> Engine:
    """The packaged base model on CTranslate2, every chunk encoded in a fitted window."""
    return Engine(make_settings(base_dir, fitted_windows="all"))


@pytest.fixture(scope="session")
def server(torch_settings: Settings, engine: Engine) -> Iterator[BackgroundServer]:
    with live_server(torch_settings, engine) as running:
        yield running


@pytest.fixture(scope="session")
def client(server: BackgroundServer) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY, max_retries=0, timeout=300)
