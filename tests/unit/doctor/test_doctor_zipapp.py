"""doctor.pyz on the old system Pythons of bare servers: 3.6 (CentOS 7, RHEL 7, Ubuntu 18.04), 3.7.

The interpreters are the prebuilt ones under pyenv (``$PYENV_ROOT`` or ``~/.pyenv``), else
``pythonX.Y`` on PATH; a test is skipped, naming what it looked for, where one is missing.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from doctor_support import assert_schema

from stt_engine.cli import cli
from stt_engine.doctor import evaluate, target_facts

VERSIONS = ["3.6", "3.7", "3.8"]
PLAN = ["--target-driver", "575.57.08", "--require", "torch==2.1.2+cu124", "--json"]


def _pyenv_roots() -> list[str]:
    roots = [os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    return list(dict.fromkeys(root for root in roots if root))


def find_python(version: str) -> tuple[str | None, str]:
    """An interpreter of ``version`` ("3.6") and, when there is none, what was looked for."""
    looked = []
    for root in _pyenv_roots():
        pattern = os.path.join(root, "versions", version + ".*", "bin", "python" + version)
        looked.append(pattern)
        found = sorted(glob.glob(pattern))
        if found:
            return found[-1], ""
    looked.append(f"python{version} on PATH")
    return shutil.which("python" + version), f"no Python {version}: looked for " + ", ".join(looked)


def python_or_skip(version: str) -> str:
    python, looked = find_python(version)
    if python is None:
        pytest.skip(looked)
    return python


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("zipapp") / "doctor.pyz"
    result = CliRunner().invoke(cli, ["doctor", "--zipapp", str(target)])
    assert result.exit_code == 0, result.output
    return target


def run_pyz(python: str, pyz: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, str(pyz), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_zipapp_holds_only_the_doctor(pyz: Path) -> None:
    names = zipfile.ZipFile(pyz).namelist()
    assert "__main__.py" in names and "stt_engine/doctor/compat.json" in names
    files = {name for name in names if not name.endswith("/")}
    extra = files - {"__main__.py", "stt_engine/__init__.py"}
    assert all(name.startswith("stt_engine/doctor/") for name in extra), sorted(extra)


@pytest.mark.parametrize("version", VERSIONS)
def test_zipapp_plain_run_and_json(version: str, pyz: Path) -> None:
    python = python_or_skip(version)
    plain = run_pyz(python, pyz, "--timeout", "3")
    assert plain.returncode in (0, 1), plain.stderr
    assert plain.stdout.startswith("doctor: ") and "CUDA wheels on this driver:" in plain.stdout
    local = run_pyz(python, pyz, "--json", "--timeout", "3")
    assert local.returncode in (0, 1), local.stderr
    report = json.loads(local.stdout)
    assert_schema(report)
    assert report["target"] is False
    assert report["facts"]["system"]["python"].startswith(version + ".")


@pytest.mark.parametrize("version", VERSIONS)
def test_zipapp_plan_matches_the_package(version: str, pyz: Path) -> None:
    """The same report from the zipapp on an old Python as from the installed package."""
    python = python_or_skip(version)
    done = run_pyz(python, pyz, *PLAN)
    assert done.returncode == 1, done.stderr
    expected = evaluate(target_facts("575.57.08"), ["torch==2.1.2+cu124"])
    assert json.loads(done.stdout) == json.loads(json.dumps(expected))
    summary = run_pyz(python, pyz, "--target-driver", "575.57.08", "--summary")
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout == "doctor: driver 575.57.08 (CUDA <= 12.9); pass (0 fail, 0 warn)\n"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--target-driver", "abc"], "expected MAJOR.MINOR[.PATCH]"),
        (["--target-driver", "575.57.08", "--target-gpu", "90"], "expected MAJOR.MINOR"),
        (["--require", "torch"], "expected NAME==VERSION"),
    ],
)
def test_zipapp_malformed_value_exits_2(
    version: str, argv: list[str], expected: str, pyz: Path
) -> None:
    python = python_or_skip(version)
    done = run_pyz(python, pyz, *argv)
    assert done.returncode == 2 and done.stdout == ""
    assert expected in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_zipapp_on_python_2_says_what_it_needs(pyz: Path) -> None:
    python = python_or_skip("2.7")
    done = run_pyz(python, pyz, "--summary")
    assert done.returncode == 2 and done.stdout == ""
    assert "doctor.pyz needs Python 3.6 or newer" in done.stderr, done.stderr
    assert "Python 2.7" in done.stderr and "Traceback" not in done.stderr
