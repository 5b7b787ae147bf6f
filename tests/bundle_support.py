"""The one cpu bundle a test run builds: the packaged base model and a model pulled from a hub.

The offline-install tests and the container tests share it (the same folder under pytest's
base temp); whichever runs first builds it with the real `stt-engine bundle build`, and the
second model is pulled from a hub served on 127.0.0.1 while the bundle is built.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub_support import LocalHub, packaged_tiny_en

HOST_PY = f"{sys.version_info.major}.{sys.version_info.minor}"
TARGET_DRIVER = "470.82.01"  # CUDA <= 11.4: a cpu bundle passes, with the GPU unused
PULLED_REPO = "stt-test/whisper-tiny-en-ct2"
PULLED_NAME = "whisper-tiny-en-ct2"  # the folder `models pull` names it


def bundle_folder(factory: pytest.TempPathFactory) -> Path:
    return factory.getbasetemp() / "stt-bundle-cpu"


def build_bundle(
    factory: pytest.TempPathFactory,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run `bundle build` for the shared cpu bundle (extra arguments: e.g. --image)."""
    out = bundle_folder(factory)
    command = [sys.executable, "-m", "stt_engine.cli", "bundle", "build", "--python", HOST_PY]
    command += ["--flavour", "cpu", "--target-driver", TARGET_DRIVER, "--model", "base"]
    command += ["--model", PULLED_REPO, "--models-dir", str(out / "build-models")]
    command += ["--out", str(out), *extra]
    with LocalHub() as hub:
        hub.add_repo(PULLED_REPO, packaged_tiny_en(out / "packaged"))
        run_env = {**(env or {}), **hub.env(out / "hf-home")}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=run_env
        )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def shared_bundle(factory: pytest.TempPathFactory) -> Path:
    """The session's cpu bundle archive, built once."""
    out = bundle_folder(factory)
    found = sorted(out.glob("stt-engine-bundle-*-cpu.tar.gz"))
    if not found:
        build_bundle(factory)
        found = sorted(out.glob("stt-engine-bundle-*-cpu.tar.gz"))
    return found[0]
