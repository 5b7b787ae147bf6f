"""`models pull` of a Hugging Face Whisper checkpoint: kept for PyTorch, or converted on the way.

The local hub serves the session's checkpoint (the packaged base weights written out in the
transformers layout, with config.json, model.safetensors, tokenizer.json...).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_support import LocalHub
from stt_engine.models.layout import manifest_origin, verify_manifest

REPO = "stt-test/whisper-base-hf"
JFK = "ask not what your country can do for you"


@pytest.fixture(scope="module")
def hub(hf_base: Path) -> Iterator[LocalHub]:
    with LocalHub() as running:
        running.add_repo(REPO, hf_base)
        yield running


def _stt(hub: LocalHub, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stt_engine.cli", *args]
    env = hub.env(tmp_path / "hf-home")
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)


@pytest.mark.slow
def test_checkpoint_is_kept_for_the_torch_backend(hub: LocalHub, tmp_path: Path) -> None:
    models = str(tmp_path / "models")
    result = _stt(
        hub, tmp_path, "models", "pull", REPO, "--name", "base-hf", "--models-dir", models
    )
    assert result.returncode == 0, result.stderr
    assert "(transformers, backend torch;" in result.stdout
    folder = tmp_path / "models" / "base-hf"
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert verify_manifest(folder) == []
    listed = _stt(hub, tmp_path, "models", "list", "--models-dir", models, "--json")
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["base-hf"]["format"] == "transformers" and rows["base-hf"]["backend"] == "torch"


@pytest.mark.slow
def test_checkpoint_converted_on_the_way_transcribes(
    hub: LocalHub, tmp_path: Path, jfk: Path
) -> None:
    models = str(tmp_path / "models")
    pull = ["models", "pull", REPO, "--quantization", "int8", "--models-dir", models]
    result = _stt(hub, tmp_path, *pull)
    assert result.returncode == 0, result.stderr
    assert "converting to CTranslate2 (int8)" in result.stderr
    assert "(ctranslate2, backend ctranslate2;" in result.stdout
    folder = tmp_path / "models" / "whisper-base-hf"
    assert (folder / "model.bin").is_file() and not (folder / "model.safetensors").exists()
    assert verify_manifest(folder) == []
    origin = manifest_origin(folder)
    assert origin is not None and origin["repo_id"] == REPO and origin["format"] == "transformers"
    assert origin["converted"] == {"to": "ctranslate2", "quantization": "int8"}
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["whisper-base-hf"]
    said = _stt(hub, tmp_path, "transcribe", str(jfk), "--model", REPO, "--models-dir", models)
    assert said.returncode == 0, said.stderr
    assert JFK in said.stdout.lower()
