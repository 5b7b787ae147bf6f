"""A bug reaching the CLI prints one line with a hint and exits 70, as errors.py promises."""

from __future__ import annotations

import subprocess
import sys

_BROKEN = """
import stt_engine.models.registry as registry
def broken(self):
    raise KeyError("models_dir")
registry.ModelRegistry.available = broken
from stt_engine.cli import main
main({argv!r})
"""


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    code = _BROKEN.format(argv=list(argv))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_a_bug_is_one_line_and_exit_70() -> None:
    result = _run("models", "list")
    assert result.returncode == 70
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0] == "error: internal error: KeyError: 'models_dir'"
    assert lines[1].startswith("hint: this is a bug in stt-engine ") and "-vv" in lines[1]
    assert "Traceback" not in result.stderr


def test_with_vv_the_traceback_is_shown() -> None:
    result = _run("-vv", "models", "list")
    assert result.returncode == 70
    assert "Traceback" in result.stderr and "KeyError: 'models_dir'" in result.stderr


def test_user_errors_keep_their_own_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stt_engine.cli", "models", "verify", "no-such-model"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4 and result.stderr.startswith("error: model 'no-such-model'")
    usage = subprocess.run(
        [sys.executable, "-m", "stt_engine.cli", "models", "list", "--bogus"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 2 and "No such option" in usage.stderr
