"""Choosing the torch build of the torch-cuda12 flavour, and the driver verdict it records."""

from __future__ import annotations

import pytest

from stt_engine.bundle.target import Target
from stt_engine.bundle.torch_plan import candidates, wheel_cuda
from stt_engine.bundle.wheelhouse import Wheel
from stt_engine.errors import BundleError


def _wheel(version: str, *requires: str) -> Wheel:
    return Wheel("torch", version, f"https://example.invalid/torch-{version}.whl", None, requires)


def test_candidates_are_cuda12_series_newest_first_for_the_python() -> None:
    found = candidates("3.11", None)
    assert found and found[0] == "torch==2.10.*"
    assert all(spec.startswith("torch==2.") for spec in found)
    assert "torch==2.11.*" not in found  # the index's 2.11 build is CUDA 13
    assert "torch==2.10.*" not in candidates("3.9", None)  # 2.10 needs Python 3.10+
    assert candidates("3.11", "2.7.1") == ["torch==2.7.1"]


@pytest.mark.parametrize(
    ("wheel", "cuda"),
    [
        (_wheel("2.7.1", "nvidia-cuda-runtime-cu12==12.6.77; platform_system == 'Linux'"), "12.6"),
        (_wheel("2.9.1", "filelock", "nvidia-cuda-runtime-cu12==12.8.90"), "12.8"),
        (_wheel("2.14.0", "nvidia-cuda-runtime==13.2.51"), "13.2"),
        (
            _wheel("2.14.1", 'cuda-toolkit[cublas,cudart]==13.0.3; platform_system == "Linux"'),
            "13.0",
        ),
        (_wheel("2.6.0+cu124"), "12.4"),
        (_wheel("2.13.0+cpu"), None),
        (_wheel("2.5.1", "sympy"), None),
    ],
)
def test_the_cuda_of_a_torch_wheel(wheel: Wheel, cuda: str | None) -> None:
    assert wheel_cuda(wheel) == cuda


def test_a_bad_flavour_is_refused() -> None:
    with pytest.raises(BundleError, match="unknown flavour"):
        Target("3.11", "manylinux_2_28_x86_64", "torch-cuda11")
