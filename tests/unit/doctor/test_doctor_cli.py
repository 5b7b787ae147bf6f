"""The command line: JSON schema, exit codes and light imports (the zipapp: test_doctor_zipapp)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner
from doctor_support import assert_schema

from stt_engine.cli import cli

GOLDEN = ["--target-driver", "575.57.08", "--require", "torch==2.1.2+cu124", "--json"]
HEAVY = ("ctranslate2", "faster_whisper", "torch", "onnxruntime")


def doctor(*args: str) -> Any:
    return CliRunner().invoke(cli, ["doctor", *args])


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
