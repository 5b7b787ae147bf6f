"""`bundle build` on the pip a fresh Python 3.11 venv has (23.2.1), the oldest tested.

pip before 23.3 refuses ``--platform`` without ``--target``; the build passes a target folder
it never writes to, so the build machine's pip version does not matter (from 22.2, which has
``--dry-run --report``). stt-engine is installed here without its model and ML dependencies:
what ``bundle build --dry-run`` needs is enough.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]
OLD_PIP = "23.2.1"
LIGHT_DEPS = [
    "click",
    "pydantic",
    "pydantic-settings",
    "platformdirs",
    "packaging",
    "tqdm",
    "filelock",
]


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def old_pip_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("old-pip") / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", f"pip=={OLD_PIP}")
    _run(python, "-m", "pip", "install", "--quiet", *LIGHT_DEPS)
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", ROOT)
    assert OLD_PIP in _run(python, "-m", "pip", "--version").stdout
    return python


def test_dry_run_resolves_on_the_old_pip(old_pip_python: Path) -> None:
    result = _run(
        old_pip_python,
        "-m",
        "stt_engine.cli",
        "bundle",
        "build",
        "--python",
        "3.11",
        "--platform",
        "manylinux_2_28_x86_64",
        "--dry-run",
        "--project",
        ROOT,
    )
    assert "ctranslate2-" in result.stdout and "faster_whisper-" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("install: stt-engine==")
