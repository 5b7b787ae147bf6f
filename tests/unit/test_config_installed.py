"""Settings read the installed defaults beside the venv (PREFIX/stt-engine.env); env wins.

Each case runs a real venv's Python (``python -m venv``, no pip) with this process's import
path, so ``sys.prefix`` is that venv just as for an installed ``PREFIX/bin/stt-engine``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_engine.config import INSTALLED_ENV_NAME

PROBE = (
    "import json; from stt_engine.config import Settings, installed_env_file; s = Settings(); "
    "print(json.dumps({'file': str(installed_env_file()), 'models_dir': str(s.models_dir), "
    "'port': s.port}))"
)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prefix = tmp_path_factory.mktemp("prefix") / "stt-engine"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    return prefix


def _settings(venv: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STT_ENGINE_")}
    clean["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


@pytest.fixture()
def env_file(venv: Path) -> Iterator[Path]:
    path = venv / INSTALLED_ENV_NAME
    yield path
    path.unlink(missing_ok=True)


def test_the_file_is_beside_the_venv(venv: Path, env_file: Path) -> None:
    assert _settings(venv)["file"] == str(env_file)


def test_installed_models_dir_is_used_without_any_variable(
    venv: Path, env_file: Path, tmp_path: Path
) -> None:
    env_file.write_text(f"STT_ENGINE_MODELS_DIR={tmp_path / 'models'}\nSTT_ENGINE_PORT=8123\n")
    found = _settings(venv)
    assert found["models_dir"] == str(tmp_path / "models")
    assert found["port"] == 8123


def test_an_environment_variable_wins_over_the_file(
    venv: Path, env_file: Path, tmp_path: Path
) -> None:
    env_file.write_text(f"STT_ENGINE_MODELS_DIR={tmp_path / 'installed'}\n")
    found = _settings(venv, STT_ENGINE_MODELS_DIR=str(tmp_path / "mine"))
    assert found["models_dir"] == str(tmp_path / "mine")


def test_without_the_file_the_defaults_hold(venv: Path, env_file: Path) -> None:
    assert not env_file.exists()
    found = _settings(venv)
    assert found["port"] == 8003
    assert str(found["models_dir"]).endswith("models")


def test_a_bad_value_in_the_file_is_a_clear_error_for_every_command(
    venv: Path, env_file: Path
) -> None:
    env_file.write_text("STT_ENGINE_PORT=eighty\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STT_ENGINE_")}
    clean["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "stt_engine.cli", "models", "list"],
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: invalid setting: port:" in result.stderr
    assert f"hint: check flags, STT_ENGINE_* variables and {env_file}" in result.stderr
    assert "Traceback" not in result.stderr
