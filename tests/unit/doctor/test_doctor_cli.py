"""The command line: JSON schema, exit codes, light imports and the zipapp under Python 3.8."""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stt_engine.cli import cli

GOLDEN = ["--target-driver", "575.57.08", "--require", "torch==2.1.2+cu124", "--json"]
HEAVY = ("ctranslate2", "faster_whisper", "torch", "onnxruntime")


def doctor(*args: str) -> Any:
    return CliRunner().invoke(cli, ["doctor", *args])


def assert_schema(report: dict[str, Any]) -> None:
    assert report["schema"] == 1
    assert report["status"] in ("pass", "warn", "fail")
    assert isinstance(report["summary"], str) and "\n" not in report["summary"]
    assert isinstance(report["target"], bool) and report["nvcc_required"] is False
    assert set(report["driver"]) >= {"version", "max_cuda", "max_cuda_source", "readings"}
    assert all(isinstance(v, str) for v in report["cuda_wheels"].values())
    assert set(report["cuda_wheels"]) >= {"cu118", "cu121", "cu124", "cu126", "cu128", "cu129"}
    for item in report["requirements"]:
        assert set(item) == {"spec", "status", "reason", "fix", "carry"}
        assert isinstance(item["carry"], list)
    for check in report["checks"]:
        assert set(check) == {"id", "status", "message", "fix"}
        assert check["status"] in ("pass", "warn", "fail") and check["message"]
    assert isinstance(report["gpus"], list) and isinstance(report["facts"], dict)


def test_golden_json_and_exit_code_one() -> None:
    result = doctor(*GOLDEN)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert_schema(report)
    assert report["driver"] == {**report["driver"], "version": "575.57.08", "max_cuda": "12.9"}
    assert report["cuda_wheels"]["cu130"] == "fail"
    assert report["requirements"][0]["status"] == "fail"


def test_exit_code_zero_when_nothing_fails() -> None:
    result = doctor("--target-driver", "575.57.08", "--require", "torch==2.5.1+cu124", "--json")
    assert result.exit_code == 0, result.output
    assert_schema(json.loads(result.output))


def test_table_and_summary_output() -> None:
    table = doctor("--target-driver", "580.65.06", "--require", "ctranslate2==4.4.0")
    assert table.exit_code == 0 and "[ok  ] ctranslate2==4.4.0" in table.output
    assert "carry: nvidia-cublas-cu12; nvidia-cudnn-cu12==8.*" in table.output
    summary = doctor("--target-driver", "470.182.03", "--summary", "--require", "torch==2.5.1")
    assert summary.exit_code == 1
    assert summary.output.startswith("doctor: driver 470.182.03 (CUDA <= 11.4); fail")


def test_local_json_report_on_this_machine() -> None:
    result = doctor("--json", "--timeout", "3")
    assert result.exit_code in (0, 1)
    report = json.loads(result.output)
    assert_schema(report)
    assert report["target"] is False and report["facts"]["system"]["python"]


_IMPORT_PROBE = """
import sys
{call}
heavy = [name for name in {heavy!r} if name in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "call",
    [
        "from stt_engine.cli import cli\ntry:\n    cli.main(['doctor', '--help'])\n"
        "except SystemExit:\n    pass",
        "from stt_engine.doctor.__main__ import run\nrun(['--summary', '--timeout', '3'])",
    ],
)
def test_doctor_never_imports_ml_packages(call: str) -> None:
    code = _IMPORT_PROBE.format(call=call, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "HEAVY=\n" in done.stdout


def _python38() -> str | None:
    found = sorted(glob.glob("/root/.pyenv/versions/3.8*/bin/python3"))
    return found[0] if found else shutil.which("python3.8")


def test_zipapp_runs_under_python_3_8(tmp_path: Path) -> None:
    python = _python38()
    if python is None:
        pytest.skip("no Python 3.8 interpreter (pyenv 3.8* or python3.8 on PATH) to run it")
    target = tmp_path / "doctor.pyz"
    assert doctor("--zipapp", str(target)).exit_code == 0
    names = zipfile.ZipFile(target).namelist()
    assert "__main__.py" in names and "stt_engine/doctor/compat.json" in names
    files = {name for name in names if not name.endswith("/")}
    extra = files - {"__main__.py", "stt_engine/__init__.py"}
    assert all(name.startswith("stt_engine/doctor/") for name in extra), sorted(extra)
    done = subprocess.run(
        [python, str(target), *GOLDEN], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["cuda_wheels"]["cu129"] == "pass" and report["cuda_wheels"]["cu130"] == "fail"
    local = subprocess.run(
        [python, str(target), "--summary"], capture_output=True, text=True, timeout=60
    )
    assert local.returncode in (0, 1) and local.stdout.startswith("doctor: "), local.stderr
