"""Malformed values exit 2 with the expected form, through argparse and ``stt-engine doctor``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stt_engine.cli import cli
from stt_engine.doctor import inputs
from stt_engine.doctor.__main__ import run

DRIVER = "575.57.08"
DRIVER_FORM = "expected MAJOR.MINOR[.PATCH]"
CC_FORM = "expected MAJOR.MINOR as nvidia-smi"
SPEC_FORM = "expected NAME==VERSION"
TIMEOUT_FORM = "expected a number of seconds above 0"

MALFORMED = [
    (["--target-driver", "abc"], DRIVER_FORM),
    (["--target-driver", "5757.08"], DRIVER_FORM),
    (["--target-driver", "575,57,08"], DRIVER_FORM),
    (["--target-driver", "575"], DRIVER_FORM),
    (["--target-driver", "575.57.08.1"], DRIVER_FORM),
    (["--target-driver", "57.57"], DRIVER_FORM),
    (["--target-driver="], DRIVER_FORM),
    (["--target-driver=-575.57"], DRIVER_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "90"], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "9"], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "9.0.1"], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "H100"], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "9,0"], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu="], CC_FORM),
    (["--target-driver", DRIVER, "--target-gpu", "2.0"], "outside the doctor's GPU table"),
    (["--target-driver", DRIVER, "--target-gpu", "13.0"], "outside the doctor's GPU table"),
    (["--target-gpu", "9.0"], "give its driver too"),
    (["--require", "torch"], SPEC_FORM),
    (["--require", "torch>=2.5"], SPEC_FORM),
    (["--require", "torch==abc"], SPEC_FORM),
    (["--require", "torch==2.5.1,<3"], SPEC_FORM),
    (["--require="], SPEC_FORM),
    (["--timeout", "0"], TIMEOUT_FORM),
    (["--timeout", "-1"], TIMEOUT_FORM),
    (["--timeout", "abc"], TIMEOUT_FORM),
    (["--timeout", "nan"], TIMEOUT_FORM),
    (["--timeout", "inf"], TIMEOUT_FORM),
    (["--site-packages", "/no/such/folder"], "is not an existing folder"),
    (["--target-driver", DRIVER, "--deep"], "leave it out with --target-driver"),
    (["--zipapp", "/no/such/folder/doctor.pyz"], "expected a file path in an existing folder"),
]


@pytest.mark.parametrize(("argv", "expected"), MALFORMED)
def test_malformed_value_exits_2_through_argparse(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run(argv)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "stt-engine doctor: error: " in captured.err and expected in captured.err


@pytest.mark.parametrize(("argv", "expected"), MALFORMED)
def test_malformed_value_exits_2_through_stt_engine_doctor(argv: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, ["doctor", *argv])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_folders_that_are_files_or_targets_that_are_folders(tmp_path: Path) -> None:
    a_file = tmp_path / "METADATA"
    a_file.write_text("")
    for argv in (["--site-packages", str(a_file)], ["--zipapp", str(tmp_path)]):
        result = CliRunner().invoke(cli, ["doctor", *argv])
        assert result.exit_code == 2 and str(a_file.parent) in result.stderr, result.output
    planned = ["--target-driver", DRIVER, "--site-packages", str(tmp_path)]
    result = CliRunner().invoke(cli, ["doctor", *planned])
    assert result.exit_code == 2 and "--require NAME==VERSION" in result.stderr


def test_well_formed_values_are_accepted_and_cleaned(tmp_path: Path) -> None:
    argv = ["--target-driver", " 580.65 ", "--target-gpu", "sm_90", "--require", "torch==2.5.1"]
    result = CliRunner().invoke(cli, ["doctor", *argv, "--timeout", "0.5", "--json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["driver"]["version"] == "580.65"
    assert report["gpus"][0]["compute_capability"] == "9.0"
    local = CliRunner().invoke(cli, ["doctor", "--site-packages", str(tmp_path), "--summary"])
    assert local.exit_code in (0, 1) and local.stdout.startswith("doctor: "), local.output


@pytest.mark.parametrize(
    ("typed", "clean"),
    [("9.0", "9.0"), ("8.6", "8.6"), ("sm_86", "8.6"), ("SM_120", "12.0"), ("3.0", "3.0")],
)
def test_compute_capability_forms(typed: str, clean: str) -> None:
    assert inputs.target_gpu(typed) == clean


def test_checkers_name_the_value_they_refuse() -> None:
    with pytest.raises(ValueError, match=r"'abc' is not an NVIDIA driver version"):
        inputs.target_driver("abc")
    with pytest.raises(ValueError, match=r"compute capability 12\.9 is outside .*3\.0 to 12\.1"):
        inputs.target_gpu("12.9")
    with pytest.raises(ValueError, match=r"'torch' is not a requirement"):
        inputs.requirement("torch")
    assert inputs.timeout("2.5") == 2.5
