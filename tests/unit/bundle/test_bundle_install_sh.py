"""install.sh refuses clearly before touching anything; `bundle` commands stay light."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from stt_engine.bundle.manifest import write_manifest

HEAVY = ("ctranslate2", "faster_whisper", "onnxruntime", "torch")


@pytest.fixture()
def script(tmp_path: Path) -> Path:
    target = tmp_path / "bundle" / "install.sh"
    target.parent.mkdir()
    target.write_bytes(resources.files("stt_engine.bundle").joinpath("install.sh").read_bytes())
    target.chmod(0o755)
    return target


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True, timeout=60)


def test_help_says_it_never_uses_the_network(script: Path) -> None:
    result = _run(script, "--help")
    assert result.returncode == 0
    assert "--prefix DIR" in result.stdout and "--models-dir DIR" in result.stdout
    assert "never uses the network" in result.stdout


def test_unknown_option_is_refused(script: Path) -> None:
    result = _run(script, "--frobnicate")
    assert result.returncode == 1
    assert "unknown option: --frobnicate" in result.stderr


def test_folder_without_manifest_is_refused(script: Path) -> None:
    result = _run(script, "--prefix", str(script.parent / "p"))
    assert result.returncode == 1
    assert "manifest.json is missing" in result.stderr
    assert not (script.parent / "p").exists()


def test_other_python_is_refused_before_installing(script: Path) -> None:
    root = script.parent
    (root / "wheels").mkdir()
    meta = {"version": "0.1.0", "flavour": "cpu", "install": ["stt-engine==0.1.0"]}
    write_manifest(root, {**meta, "target": {"python": "3.2", "platform": "manylinux_2_17_x86_64"}})
    prefix = root / "prefix"
    result = _run(script, "--prefix", str(prefix), "--python", sys.executable)
    assert result.returncode == 1
    assert "target: bundle is for Python 3.2" in result.stderr
    assert "failed verification" in result.stderr
    assert not prefix.exists()


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash not installed")
def test_script_parses_as_posix_sh(script: Path) -> None:
    assert subprocess.run(["dash", "-n", str(script)]).returncode == 0


@pytest.mark.parametrize(
    "argv",
    [["bundle", "--help"], ["bundle", "build", "--help"], ["bundle", "verify", "--help"]],
)
def test_bundle_commands_stay_light(argv: list[str]) -> None:
    probe = (
        "import sys; from stt_engine.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def test_rollback_without_a_previous_version_is_refused(script: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    (prefix / "venvs" / "0.2.0-a").mkdir(parents=True)
    (prefix / "current").symlink_to("venvs/0.2.0-a")
    result = _run(script, "--rollback", "--prefix", str(prefix))
    assert result.returncode == 1
    assert "has no previous version to return to" in result.stderr
    assert (prefix / "current").readlink() == Path("venvs/0.2.0-a")


def test_rollback_to_an_unfinished_venv_is_refused(script: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    for name in ("0.1.0", "0.2.0-a"):
        (prefix / "venvs" / name).mkdir(parents=True)
    (prefix / "venvs" / "0.2.0-a" / ".stt-engine-ok").write_text("0.2.0\n")
    (prefix / "current").symlink_to("venvs/0.2.0-a")
    (prefix / "previous").symlink_to("venvs/0.1.0")  # never passed its check
    result = _run(script, "--rollback", "--prefix", str(prefix))
    assert result.returncode == 1
    assert "venvs/0.1.0 is not a complete install" in result.stderr
    assert (prefix / "current").readlink() == Path("venvs/0.2.0-a")


def test_rollback_switches_current_and_previous(script: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    _two_versions(prefix)
    result = _run(script, "--rollback", "--prefix", str(prefix))
    assert result.returncode == 0, result.stderr
    assert (prefix / "current").readlink() == Path("venvs/0.1.0")
    assert (prefix / "previous").readlink() == Path("venvs/0.2.0-a")
    assert (prefix / "bin" / "stt-engine").readlink() == Path("../current/bin/stt-engine")
    assert "restart a running server" in result.stdout
    assert not list(prefix.glob("*.new"))


def test_rollback_goes_with_nothing_else(script: Path) -> None:
    result = _run(script, "--rollback", "--models-only")
    assert result.returncode == 1
    assert "--rollback and --models-only do not go together" in result.stderr


def _two_versions(prefix: Path) -> None:
    for name in ("0.1.0", "0.2.0-a"):
        (prefix / "venvs" / name / "bin").mkdir(parents=True)
        (prefix / "venvs" / name / ".stt-engine-ok").write_text(name)
    (prefix / "current").symlink_to("venvs/0.2.0-a")
    (prefix / "previous").symlink_to("venvs/0.1.0")


def test_a_second_installer_on_the_same_prefix_is_refused(script: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    _two_versions(prefix)
    (prefix / ".install.lock").mkdir()
    with subprocess.Popen(["sleep", "60"]) as other:  # a live owner of the lock
        (prefix / ".install.lock" / "pid").write_text(f"{other.pid}\n")
        result = _run(script, "--rollback", "--prefix", str(prefix))
        other.kill()
    assert result.returncode == 1
    assert f"another install.sh (pid {other.pid}) is working on {prefix}" in result.stderr
    assert (prefix / "current").readlink() == Path("venvs/0.2.0-a")


def test_the_lock_of_a_killed_installer_is_taken_over(script: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    _two_versions(prefix)
    gone = subprocess.Popen(["true"])
    gone.wait()
    (prefix / ".install.lock").mkdir()
    (prefix / ".install.lock" / "pid").write_text(f"{gone.pid}\n")
    result = _run(script, "--rollback", "--prefix", str(prefix))
    assert result.returncode == 0, result.stderr
    assert f"taking over {prefix}/.install.lock" in result.stdout
    assert (prefix / "current").readlink() == Path("venvs/0.1.0")
    assert not (prefix / ".install.lock").exists()  # released on exit


def test_rollback_of_a_missing_prefix_creates_nothing(script: Path, tmp_path: Path) -> None:
    result = _run(script, "--rollback", "--prefix", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "is not an stt-engine install" in result.stderr
    assert not (tmp_path / "nothing").exists()
