"""`stt-engine vocab list|add|check` through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "stt_engine.cli", "vocab"]


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    dirs = ["--data-dir", str(root / "data"), "--models-dir", str(root / "models")]
    return subprocess.run([*CLI, *args, *dirs], capture_output=True, text=True, timeout=120)


def test_add_list_check(tmp_path: Path) -> None:
    assert "no vocabularies" in _run(tmp_path, "list").stdout
    added = _run(tmp_path, "add", "infra", "쿠버네티스", "--replace", "쿠버 네티스=쿠버네티스")
    assert added.returncode == 0, added.stderr
    source = tmp_path / "more.json"
    source.write_text(json.dumps({"terms": ["헬름"], "pronunciations": {"헬름": ["핼름"]}}))
    assert _run(tmp_path, "add", "infra", "--file", str(source)).returncode == 0
    stored = json.loads((tmp_path / "data/vocabularies/infra.json").read_text(encoding="utf-8"))
    assert stored == {
        "terms": ["쿠버네티스", "헬름"],
        "replacements": {"쿠버 네티스": "쿠버네티스", "핼름": "헬름"},
    }
    assert "infra" in _run(tmp_path, "list").stdout
    checked = _run(tmp_path, "check", "infra", "쿠버 네티스에 핼름 차트를 올려요")
    assert checked.returncode == 0
    assert checked.stdout.splitlines()[-1] == "쿠버네티스에 헬름 차트를 올려요"
    assert "hotwords: 쿠버네티스, 헬름" in checked.stdout


def test_errors_exit_with_a_message(tmp_path: Path) -> None:
    missing = _run(tmp_path, "check", "absent")
    assert missing.returncode == 4 and "no vocabulary named 'absent'" in missing.stderr
    bad_name = _run(tmp_path, "add", "../x", "term")
    assert bad_name.returncode == 2 and "invalid vocabulary name" in bad_name.stderr
    bad_fix = _run(tmp_path, "add", "ok", "--replace", "no-equals-sign")
    assert bad_fix.returncode == 2 and "WRONG=RIGHT" in bad_fix.stderr
