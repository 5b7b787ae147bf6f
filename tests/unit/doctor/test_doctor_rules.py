"""Verdicts against the table: the golden 575.57.08 scenario, driver generations, requirements."""

from __future__ import annotations

from typing import Any

import pytest

from stt_engine.doctor import evaluate, target_facts
from stt_engine.doctor.compat import Compat
from stt_engine.doctor.verdicts import cuda_verdict

GOLDEN_WHEELS = {
    "cu118": "pass",
    "cu121": "pass",
    "cu124": "pass",
    "cu126": "pass",
    "cu128": "pass",
    "cu129": "pass",
    "cu130": "fail",
    "cu132": "fail",
}


def plan(driver: str, *specs: str, gpu: str | None = None) -> dict[str, Any]:
    return evaluate(target_facts(driver, gpu), list(specs))


def requirement(report: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return report["requirements"][index]


def test_golden_source_scenario() -> None:
    report = plan("575.57.08", "torch==2.1.2+cu124")
    assert report["driver"]["version"] == "575.57.08"
    assert report["driver"]["max_cuda"] == "12.9"
    assert report["nvcc_required"] is False
    assert report["cuda_wheels"] == GOLDEN_WHEELS
    assert "R580" in report["cuda_wheel_reasons"]["cu130"]
    torch = requirement(report)
    assert torch["status"] == "fail"
    assert "no cu124 build" in torch["reason"]
    assert "torch 2.1.2+cu121" in torch["reason"] and "torch 2.4.0+cu124" in torch["reason"]
    assert (
        torch["fix"]
        == "pip install torch==2.1.2 --index-url https://download.pytorch.org/whl/cu121"
    )
    assert report["status"] == "fail"
    assert report["summary"] == "doctor: driver 575.57.08 (CUDA <= 12.9); fail (1 fail, 0 warn)"


@pytest.mark.parametrize(
    ("driver", "max_cuda", "wheels"),
    [
        ("450.36.06", "11.0", "fail fail fail fail fail fail fail fail"),
        ("450.80.02", "11.0", "warn fail fail fail fail fail fail fail"),
        ("470.182.03", "11.4", "warn fail fail fail fail fail fail fail"),
        ("470.256.02", "11.4", "warn fail fail fail fail fail fail fail"),
        ("495.29.05", "11.5", "warn fail fail fail fail fail fail fail"),
        ("510.47.03", "11.6", "warn fail fail fail fail fail fail fail"),
        ("525.60.13", "12.0", "pass warn warn warn warn warn fail fail"),
        ("535.104.05", "12.2", "pass pass warn warn warn warn fail fail"),
        ("535.54.03", "12.2", "pass pass warn warn warn warn fail fail"),
        ("550.54.14", "12.4", "pass pass pass warn warn warn fail fail"),
        ("575.57.08", "12.9", "pass pass pass pass pass pass fail fail"),
        ("580.65.06", "13.0", "pass pass pass pass pass pass pass warn"),
        ("595.45.04", "13.2", "pass pass pass pass pass pass pass pass"),
    ],
)
def test_driver_generations(driver: str, max_cuda: str | None, wheels: str) -> None:
    report = plan(driver)
    assert report["driver"]["max_cuda"] == max_cuda
    assert list(report["cuda_wheels"].values()) == wheels.split()


def test_minor_version_compatibility_is_a_warning_with_its_caveat() -> None:
    reason = plan("535.104.05")["cuda_wheel_reasons"]["cu128"]
    assert "minor version compatibility" in reason and "PTX" in reason
    message = {c["id"]: c for c in plan("470.256.02")["checks"]}["driver.max_cuda"]["message"]
    assert "up to 11.4 (from the table)" in message


@pytest.mark.parametrize(
    ("driver", "cuda"),
    [("450.51.05", "11.0"), ("470.82.01", "11.4"), ("495.29.05", "11.5"), ("510.39.01", "11.6")],
)
def test_the_11x_rows_name_their_source(driver: str, cuda: str) -> None:
    compat = Compat()
    assert compat.max_cuda_for(driver) == cuda
    row = next(r for r in compat.data["cuda_releases"] if r["driver"] == driver)
    assert row["source"] in compat.data["sources"]
    assert "docs.nvidia.com" in compat.data["sources"][row["source"]]


def test_below_the_floor_the_verdict_names_forward_compatibility() -> None:
    status, reason = cuda_verdict(Compat(), "470.256.02", "12.6")
    assert status == "fail" and "cuda-compat-12-6" in reason and "data-center" in reason
    status, reason = cuda_verdict(Compat(), "470.256.02", "12.6", forward="570.124.06")
    assert status == "warn" and "forward compatibility" in reason
    assert "driver libraries 570.124.06" in reason
    status, _ = cuda_verdict(Compat(), "470.256.02", "12.9", forward="570.124.06")
    assert status == "fail"  # the compat package of 570 reaches CUDA 12.8, not 12.9


@pytest.mark.parametrize(
    ("driver", "spec", "status", "text"),
    [
        ("575.57.08", "torch==2.5.1+cu124", "pass", "toolkit driver"),
        ("535.104.05", "torch==2.5.1+cu124", "warn", "minor version compatibility"),
        ("575.57.08", "torch==2.9.0+cu130", "fail", "R580"),
        ("575.57.08", "torch==2.11.0", "fail", "R580"),
        ("575.57.08", "torch==2.5.1", "pass", "12.4"),
        ("575.57.08", "torch==2.7.1", "warn", "not on file"),
        ("470.182.03", "torch==2.1.2+cpu", "pass", "CPU build"),
        ("575.57.08", "torch==1.13.1", "warn", "not in the doctor's table"),
        ("575.57.08", "ctranslate2==4.4.0", "pass", "CUDA 12.2"),
        ("525.60.13", "ctranslate2==4.8.1", "warn", "minor version compatibility"),
        ("470.182.03", "ctranslate2==4.8.1", "fail", "R525"),
        ("575.57.08", "ctranslate2==9.0.0", "pass", "assumed like 4.8.1"),
        ("575.57.08", "ctranslate2==2.0.0", "warn", "not in the doctor's table"),
        ("470.182.03", "onnxruntime-gpu==1.20.0", "fail", "CUDA 12.x"),
        ("575.57.08", "onnxruntime-gpu==1.20.0", "pass", "CUDA 12.x"),
        ("575.57.08", "onnxruntime==1.20.0", "pass", "CPU package"),
        ("575.57.08", "numpy==2.0.0", "warn", "no compatibility facts"),
        ("575.57.08", "torch>=2", "fail", "name==version"),
    ],
)
def test_requirements(driver: str, spec: str, status: str, text: str) -> None:
    item = requirement(plan(driver, spec))
    assert (item["spec"], item["status"]) == (spec, status)
    assert text in item["reason"]


def test_failing_torch_build_gets_a_working_variant_as_fix() -> None:
    item = requirement(plan("575.57.08", "torch==2.9.0+cu130"))
    assert (
        item["fix"] == "pip install torch==2.9.0 --index-url https://download.pytorch.org/whl/cu128"
    )


def test_ctranslate2_carry_list_names_the_cudnn_it_needs() -> None:
    assert requirement(plan("575.57.08", "ctranslate2==4.4.0"))["carry"] == [
        "nvidia-cublas-cu12",
        "nvidia-cudnn-cu12==8.*",
    ]
    assert requirement(plan("575.57.08", "ctranslate2==4.5.0"))["carry"][1] == (
        "nvidia-cudnn-cu12==9.*"
    )
    assert requirement(plan("575.57.08", "ctranslate2==4.8.1"))["carry"] == ["nvidia-cublas-cu12"]


def test_planned_cudnn_conflict_fails() -> None:
    report = plan("575.57.08", "torch==2.5.1+cu124", "ctranslate2==4.4.0")
    checks = {check["id"]: check for check in report["checks"]}
    assert checks["cudnn.conflict"]["status"] == "fail"
    ok = plan("575.57.08", "torch==2.5.1+cu124", "ctranslate2==4.8.1")
    assert ok["status"] == "pass"


@pytest.mark.parametrize(
    ("driver", "gpu", "spec", "status", "text"),
    [
        ("575.57.08", "12.0", "torch==2.5.1+cu124", "warn", "PTX JIT"),
        ("535.104.05", "12.0", "torch==2.5.1+cu124", "fail", "PTX JIT needs the toolkit driver"),
        ("575.57.08", "12.0", "torch==2.1.2+cu121", "fail", "needs CUDA >= 12.8"),
        ("580.65.06", "7.0", "torch==2.9.0+cu130", "fail", "no kernels for sm_70"),
        ("575.57.08", "9.0", "torch==2.7.1+cu128", "pass", "ships sm_90 kernels"),
    ],
)
def test_gpu_architecture_against_torch_builds(
    driver: str, gpu: str, spec: str, status: str, text: str
) -> None:
    item = requirement(plan(driver, spec, gpu=gpu))
    assert item["status"] == status and text in item["reason"]


def test_blackwell_gpu_on_a_driver_without_cuda_12_8() -> None:
    checks = {c["id"]: c for c in plan("550.54.14", gpu="12.0")["checks"]}
    assert checks["gpu.0"]["status"] == "fail" and "12.8" in checks["gpu.0"]["message"]
    checks = {c["id"]: c for c in plan("575.57.08", gpu="12.0")["checks"]}
    assert checks["gpu.0"]["status"] == "pass"


def test_every_table_row_names_a_known_source() -> None:
    data = Compat().data
    sources = set(data["sources"])
    for section in ("cuda_majors", "cuda_releases", "torch", "torch_archs", "ctranslate2"):
        for row in data[section]:
            assert row["source"] in sources, (section, row)
    for section in ("gpu_archs", "onnxruntime_gpu"):
        assert all(row["source"] in sources for row in data[section])
