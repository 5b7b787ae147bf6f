"""Driver probes against faithful fixture outputs, and every way they can fail."""

from __future__ import annotations

import sys

import pytest

from conftest import (
    QUERY,
    QUERY_OLD,
    FakeLibcuda,
    FakeNvml,
    FakeRunner,
    Machine,
    fixture_text,
    loader_for,
    no_library,
    smi_answers,
)
from stt_engine.doctor import driver, nvml
from stt_engine.doctor.probe import CommandResult, ProbeContext, run_command, with_timeout


@pytest.mark.parametrize(
    ("name", "version", "cuda"),
    [
        ("470.182.03.txt", "470.182.03", "11.4"),
        ("535.104.05.txt", "535.104.05", "12.2"),
        ("575.57.08.txt", "575.57.08", "12.9"),
        ("580.65.06.txt", "580.65.06", "13.0"),
        ("610.43.03-umd.txt", "610.43.03", "13.3"),
        ("580.159.04-h100-real.txt", "580.159.04", "13.0"),
    ],
)
def test_smi_header_of_each_driver_generation(name: str, version: str, cuda: str) -> None:
    assert driver.parse_smi_header(fixture_text("nvidia-smi/" + name)) == (version, cuda)


def test_read_smi_reads_the_r610_umd_header(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("610.43.03-umd.txt"))
    reading = driver.read_smi(machine.context())
    assert (reading.version, reading.max_cuda, reading.error) == ("610.43.03", "13.3", None)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (CommandResult(124, error="nvidia-smi: timed out after 2s"), "timed out"),
        (CommandResult(127, error="nvidia-smi: not found"), "not found"),
        (CommandResult(9, fixture_text("nvidia-smi/failed.txt")), "couldn't communicate"),
        (CommandResult(0, fixture_text("nvidia-smi/garbled.txt")), "could not parse"),
    ],
)
def test_read_smi_failures_become_errors(
    machine: Machine, result: CommandResult, expected: str
) -> None:
    machine.runner.answers["nvidia-smi"] = result
    reading = driver.read_smi(machine.context())
    assert reading.version is None and reading.max_cuda is None
    assert expected in (reading.error or "")


@pytest.mark.parametrize(
    ("name", "version", "flavour"),
    [
        ("575.57.08-proprietary.txt", "575.57.08", "proprietary"),
        ("580.65.06-open.txt", "580.65.06", "open"),
        ("470.182.03-proprietary.txt", "470.182.03", "proprietary"),
        ("580.159.04-open-real.txt", "580.159.04", "open"),
    ],
)
def test_proc_version_files(name: str, version: str, flavour: str) -> None:
    assert driver.parse_proc_version(fixture_text("proc/" + name)) == (version, flavour)


def test_proc_missing_and_unparsable(machine: Machine) -> None:
    reading, flavour = driver.read_proc(machine.context())
    assert "missing" in (reading.error or "") and flavour is None
    machine.write("/proc/driver/nvidia/version", fixture_text("proc/unparsable.txt"))
    reading, _ = driver.read_proc(machine.context())
    assert reading.version is None and "could not parse" in (reading.error or "")


def test_gpu_query_and_the_fallback_for_drivers_without_compute_cap(machine: Machine) -> None:
    machine.runner.answers["nvidia-smi " + QUERY] = CommandResult(
        2, fixture_text("nvidia-smi/query-470-no-compute-cap.txt")
    )
    machine.runner.answers["nvidia-smi " + QUERY_OLD] = CommandResult(
        0, fixture_text("nvidia-smi/query-470.csv")
    )
    gpus = driver.query_gpus(machine.context())
    assert [(g.name, g.memory_mib, g.compute_capability) for g in gpus] == [
        ("Tesla T4", 15109, None)
    ]


def test_gpu_query_two_gpus() -> None:
    gpus = driver.parse_gpu_query(fixture_text("nvidia-smi/query-2xh200.csv"))
    assert [(g.index, g.compute_capability) for g in gpus] == [(0, "9.0"), (1, "9.0")]


def test_gpu_query_gives_nothing_when_nvidia_smi_times_out() -> None:
    runner = FakeRunner({"nvidia-smi " + QUERY: CommandResult(124, error="timed out")})
    assert driver.query_gpus(ProbeContext(run=runner, timeout=1)) == []
    assert len(runner.calls) == 1


def test_nvml_through_ctypes_pointers() -> None:
    fake = FakeNvml()
    reading, gpus = nvml.read_nvml(loader_for(nvml=fake))
    assert (reading.version, reading.max_cuda) == ("575.57.08", "12.9")
    assert [(g.name, g.memory_mib, g.compute_capability) for g in gpus] == [
        ("NVIDIA H100 80GB HBM3", 81559, "9.0")
    ]
    assert fake.shut_down


def test_nvml_missing_library_and_failed_init() -> None:
    reading, gpus = nvml.read_nvml(no_library)
    assert "libnvidia-ml.so.1 not found" in (reading.error or "") and gpus == []
    reading, gpus = nvml.read_nvml(loader_for(nvml=FakeNvml(init_code=9)))
    assert "error 9" in (reading.error or "") and reading.version is None


def test_libcuda_version_stub_and_missing() -> None:
    reading, code = nvml.read_libcuda(loader_for(cuda=FakeLibcuda()))
    assert (reading.max_cuda, code) == ("12.9", 0)
    reading, code = nvml.read_libcuda(loader_for(cuda=FakeLibcuda(init_code=34)))
    assert code == 34 and "STUB" in (reading.error or "")
    reading, code = nvml.read_libcuda(no_library)
    assert code is None and "not found" in (reading.error or "")
    reading, _ = nvml.read_libcuda(loader_for(cuda=FakeLibcuda(version=0)))
    assert reading.max_cuda is None and "failed" in (reading.error or "")


def test_run_command_reports_timeout_missing_and_output() -> None:
    slow = run_command([sys.executable, "-c", "import time; time.sleep(5)"], 0.3)
    assert slow.returncode == 124 and "timed out" in (slow.error or "")
    missing = run_command(["/nonexistent/nvidia-smi"], 1)
    assert missing.returncode == 127 and "not found" in (missing.error or "")
    done = run_command([sys.executable, "-c", "print('hi')"], 10)
    assert (done.returncode, done.stdout.strip(), done.error) == (0, "hi", None)


def test_with_timeout_gives_the_fallback_and_passes_errors_on() -> None:
    import time

    assert with_timeout(lambda: time.sleep(2) or "late", 0.1, "fallback") == "fallback"
    with pytest.raises(ZeroDivisionError):
        with_timeout(lambda: 1 // 0, 1.0, 0)


def test_the_gpu_reader_the_server_uses() -> None:
    reader = nvml.GpuReader(loader_for(nvml=FakeNvml()))
    assert reader.name(0) == "NVIDIA H100 80GB HBM3"
    assert reader.memory(0) == (0, 81559 * 1024 * 1024)
    missing = nvml.GpuReader(loader_for())
    assert missing.name(0) is None and missing.memory(0) is None
    assert nvml.GpuReader(loader_for(nvml=FakeNvml(init_code=9))).name(0) is None
