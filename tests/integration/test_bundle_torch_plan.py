"""The torch-cuda12 wheel set resolves from the index for the target, with the driver verdict.

Resolution only (pip's resolver for Python 3.11 / manylinux_2_28_x86_64): torch 2.7.1, whose
index build is CUDA 12.6, with its nvidia-*-cu12 wheels (about 3 GB in all).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from packaging.utils import parse_wheel_filename

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def plan() -> str:
    command = [sys.executable, "-m", "stt_engine.cli", "bundle", "build"]
    command += ["--flavour", "torch-cuda12", "--python", "3.11"]
    command += ["--platform", "manylinux_2_28_x86_64", "--torch", "2.7.1"]
    command += ["--target-driver", "535.104.05", "--dry-run"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=800)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_torch_and_its_cuda_12_wheels_are_in_the_set(plan: str) -> None:
    wheels = re.findall(r"\s(\S+\.whl)$", plan, flags=re.MULTILINE)
    names = {str(parse_wheel_filename(w)[0]): str(parse_wheel_filename(w)[1]) for w in wheels}
    assert names["torch"] == "2.7.1" and "transformers" in names and "ctranslate2" in names
    assert names["nvidia-cublas-cu12"].startswith("12.") and "nvidia-cudnn-cu12" in names
    assert not [n for n in names if n.startswith("nvidia-") and not n.endswith("cu12")]
    assert plan.splitlines()[-1] == "install: stt-engine[torch]==" + names["stt-engine"] + (
        " torch==2.7.1"
    )


def test_the_plan_gives_the_doctors_verdict_on_the_target_driver(plan: str) -> None:
    assert "torch: 2.7.1 (CUDA 12.6)" in plan.splitlines()
    line = next(x for x in plan.splitlines() if x.startswith("target: "))
    assert line.startswith("target: driver 535.104.05 (CUDA <= 12.2), torch-cuda12: warn: ")
    assert "torch 2.7.1 is built for CUDA 12.6" in line
    assert "minor version compatibility" in line
