"""The cuda12 wheel set resolves for the target and carries the CUDA libraries CTranslate2 loads.

Resolution only (pip's resolver for Python 3.11 / manylinux_2_28_x86_64, sizes from the index):
the full download is about 800 MB, most of it nvidia-cublas-cu12.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from packaging.utils import parse_wheel_filename

from stt_engine.bundle.target import platform_tags
from stt_engine.bundle.wheelhouse import cuda_requirements

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
PLATFORM = "manylinux_2_28_x86_64"


@pytest.fixture(scope="module")
def plan() -> str:
    command = [sys.executable, "-m", "stt_engine.cli", "bundle", "build", "--flavour", "cuda12"]
    command += ["--python", "3.11", "--platform", PLATFORM, "--dry-run"]
    command += ["--target-driver", "575.57.08"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wheels(plan: str) -> list[str]:
    return re.findall(r"\s(\S+\.whl)$", plan, flags=re.MULTILINE)


def test_cuda_wheels_match_the_pinned_ctranslate2(plan: str) -> None:
    names = {
        str(parse_wheel_filename(w)[0]): str(parse_wheel_filename(w)[1]) for w in _wheels(plan)
    }
    assert "ctranslate2" in names and "stt-engine" in names
    expected = {req.split(">=")[0] for req in cuda_requirements(names["ctranslate2"])}
    assert "nvidia-cublas-cu12" in expected
    for package in ("nvidia-cublas-cu12", "nvidia-cudnn-cu12"):
        assert (package in names) == (package in expected), package
    assert names["nvidia-cublas-cu12"].startswith("12.")
    install = plan.splitlines()[-1]
    assert install.startswith("install: stt-engine==")
    assert f"nvidia-cublas-cu12=={names['nvidia-cublas-cu12']}" in install


def test_every_wheel_fits_the_target(plan: str) -> None:
    accepted = set(platform_tags(PLATFORM)) | {"any"}
    for wheel in _wheels(plan):
        tags = parse_wheel_filename(wheel)[3]
        assert any(
            t.platform in accepted and t.interpreter in ("cp311", "py3", "py2", "cp310", "cp38")
            for t in tags
        ), wheel
    total = re.search(r"^total: ([\d.]+) MB in (\d+) of (\d+)", plan, flags=re.MULTILINE)
    assert total is not None and total.group(2) == total.group(3)
    assert float(total.group(1)) > 500  # cuBLAS alone is several hundred MB


def test_the_plan_passes_a_driver_that_runs_its_cuda(plan: str) -> None:
    line = next(x for x in plan.splitlines() if x.startswith("target: "))
    assert line.startswith("target: driver 575.57.08 (CUDA <= 12.9), cuda12: pass: ctranslate2 ")
    assert "is built for CUDA 12.8: driver 575.57.08 >= 570.26" in line
    assert "  fix: " not in plan
