"""`stt-engine transcribe` on real files: formats, folders, --resume, and one bad file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import srt

CLI = [sys.executable, "-m", "stt_engine.cli"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_single_file_prints_to_stdout(jfk: Path) -> None:
    result = _run(
        "transcribe",
        str(jfk),
        "--language",
        "en",
        "--format",
        "srt",
        "--no-progress",
        "--device",
        "cpu",
    )
    assert result.returncode == 0, result.stderr
    cues = list(srt.parse(result.stdout))
    assert cues and "country" in cues[-1].content


def test_folder_with_a_bad_file_continues_and_resume_skips(
    tmp_path: Path, jfk: Path, audio_dir: Path
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(jfk, inputs / "a_jfk.flac")
    shutil.copy(audio_dir / "ko/emotiontts/Main/main/lmy/lmy01002.flac", inputs / "b_ko.flac")
    (inputs / "c_broken.wav").write_bytes(b"RIFF....not really a wave file")
    (inputs / "notes.txt").write_text("ignored: not audio by name")
    out = tmp_path / "out"
    formats = ["-f", "text", "-f", "vtt", "-f", "tsv", "--device", "cpu"]
    first = _run("transcribe", str(inputs), "-o", str(out), *formats)
    assert first.returncode == 1
    assert "failed: " in first.stderr and "c_broken.wav" in first.stderr
    assert "Traceback" not in first.stderr
    assert "1 of 3 file(s) failed" in first.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["a_jfk.tsv", "a_jfk.txt", "a_jfk.vtt", "b_ko.tsv", "b_ko.txt", "b_ko.vtt"]
    assert "country" in (out / "a_jfk.txt").read_text()
    assert (out / "a_jfk.vtt").read_text().startswith("WEBVTT")
    (inputs / "c_broken.wav").unlink()
    again = _run("transcribe", str(inputs), "-o", str(out), *formats, "--resume")
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("skip (outputs exist)") == 2


def test_errors_print_message_and_hint_without_traceback(jfk: Path) -> None:
    result = _run("transcribe", str(jfk), "--model", "no-such-model", "--device", "cpu")
    assert result.returncode == 4
    assert result.stderr.startswith("error: ") and "hint: known models" in result.stderr
    assert "model 'no-such-model' not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("transcribe", str(tmp_path / "missing.wav"))
    assert result.returncode == 2 and "does not exist" in result.stderr
