"""--deep: the child-interpreter import probe, fed by a fake runner."""

from __future__ import annotations

from conftest import FakeRunner
from stt_engine.doctor.deep import deep_probe
from stt_engine.doctor.probe import CommandResult


def test_deep_probe_reads_the_marked_line() -> None:
    out = 'noise\nDOCTOR-DEEP {"ctranslate2": {"version": "4.8.1", "cuda_devices": 1}}\n'
    runner = FakeRunner({"python": CommandResult(0, out)})
    assert deep_probe("python", runner, 1)["ctranslate2"]["cuda_devices"] == 1


def test_deep_probe_timeout_and_crash_are_reported() -> None:
    slow = FakeRunner({"python": CommandResult(124, error="python: timed out after 1s")})
    assert "timed out" in deep_probe("python", slow, 1)["error"]
    crash = FakeRunner({"python": CommandResult(-11, "Segmentation fault\n")})
    assert deep_probe("python", crash, 1)["error"] == (
        "the import probe exited with -11: Segmentation fault"
    )
