"""`stt-engine batch` in this process: the same text as `transcribe`, the manifest, resuming."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stt_engine.files import PARTIAL_SUFFIX

CLI = [sys.executable, "-m", "stt_engine.cli"]
MODEL = ["-m", "tiny.en", "-l", "en", "--device", "cpu", "--no-progress"]
CLIPS = ("LJ001-0001", "LJ001-0002", "LJ001-0003", "LJ001-0004", "LJ001-0005", "LJ001-0006")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


def records(out: Path) -> list[dict[str, object]]:
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def clips(tmp_path: Path, audio_dir: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name in CLIPS[:3]:
        shutil.copy(audio_dir / "en" / "ljspeech" / f"{name}.flac", folder / f"{name}.flac")
    shutil.copy(audio_dir / "en" / "ljspeech" / "LJ001-0004.flac", folder / "sub" / "four.flac")
    (folder / "broken.wav").write_bytes(b"RIFF....not really a wave file")
    return folder


@pytest.mark.slow
def test_batch_gives_the_text_of_transcribe_and_reports_a_corrupt_file(tmp_path: Path, clips: Path):
    expected = tmp_path / "transcribe"
    done = _run("transcribe", str(clips), "-o", str(expected), *MODEL)
    assert done.returncode == 1  # the broken file
    out = tmp_path / "batch"
    result = _run("batch", str(clips), "--out", str(out), "-f", "text", "-f", "srt", *MODEL)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "files: 5 (4 transcribed, 0 already done, 1 failed)" in result.stderr
    assert "RTFx: " in result.stderr and "audio: 0.00" in result.stderr
    by_key = {r["key"]: r for r in records(out)}
    assert sorted(by_key) == ["LJ001-0001", "LJ001-0002", "LJ001-0003", "broken", "sub/four"]
    broken = by_key.pop("broken")
    assert broken["status"] == "error" and "not a readable audio" in str(broken["error"])
    for key, record in by_key.items():
        assert record["status"] == "ok" and record["language"] == "en"
        assert 1.0 < float(record["duration"]) < 10.0  # type: ignore[arg-type]
        text = (out / f"{key}.txt").read_text(encoding="utf-8")
        assert text == (expected / f"{Path(key).name}.txt").read_text(encoding="utf-8")
        assert (out / f"{key}.srt").read_text().startswith("1\n")
    assert not list(out.rglob("*" + PARTIAL_SUFFIX))

    (clips / "broken.wav").write_bytes((clips / "LJ001-0002.flac").read_bytes())
    again = _run("batch", str(clips), "--out", str(out), "-f", "text", "-f", "srt", *MODEL)
    assert again.returncode == 0, again.stderr
    assert "files: 5 (1 transcribed, 4 already done, 0 failed)" in again.stderr
    assert again.stderr.count("done: ") == 1 and "broken.wav" in again.stderr
    assert [r["status"] for r in records(out)] == ["ok"] * 5  # one line per file


def test_manifest_and_list_inputs(tmp_path: Path, audio_dir: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"audio_filepath": str(audio_dir / "en/ljspeech/LJ001-0002.flac")}) + "\n"
    )
    listing = tmp_path / "l.txt"
    listing.write_text(f"# one clip\n{audio_dir / 'en/ljspeech/LJ001-0008.flac'}\n")
    out = tmp_path / "out"
    result = _run("batch", str(manifest), str(listing), "--out", str(out), *MODEL)
    assert result.returncode == 0, result.stderr
    assert "modern" in (out / "LJ001-0002.txt").read_text()
    assert "surpassed" in (out / "LJ001-0008.txt").read_text()


def test_bad_manifest_line_is_a_clear_error(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"text": "no path"}\n')
    result = _run("batch", str(manifest), "--out", str(tmp_path / "out"), *MODEL)
    assert result.returncode == 2
    assert "m.jsonl:1: no audio path" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_killed_driver_resumes_without_redoing_finished_files(tmp_path: Path, audio_dir: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in CLIPS:
        shutil.copy(audio_dir / "en" / "ljspeech" / f"{name}.flac", folder)
    out = tmp_path / "out"
    args = [*CLI, "batch", str(folder), "--out", str(out), *MODEL]
    first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not _ok_keys(out) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    finished = _ok_keys(out)
    assert finished and len(finished) < len(CLIPS), "the kill came too late to interrupt"
    stamps = {k: (out / f"{k}.txt").stat().st_mtime_ns for k in finished}
    again = _run("batch", str(folder), "--out", str(out), *MODEL)
    assert again.returncode == 0, again.stderr
    assert f"{len(finished)} already done" in again.stderr
    assert {k: (out / f"{k}.txt").stat().st_mtime_ns for k in finished} == stamps
    assert _ok_keys(out) == set(CLIPS)
    assert len(records(out)) == len(CLIPS)


def _ok_keys(out: Path) -> set[str]:
    path = out / "results.jsonl"
    if not path.is_file():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("status") == "ok":
            keys.add(record["key"])
    return keys


@pytest.mark.parametrize("command", ["batch", "serve"])
def test_ray_modes_without_ray_say_how_to_install_it(
    command: str, tmp_path: Path, jfk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from stt_engine.cli import cli

    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    monkeypatch.delitem(sys.modules, "stt_engine.batch.serve_app", raising=False)
    args = {
        "batch": ["batch", str(jfk), "--out", str(tmp_path / "out"), "--ray", "local"],
        "serve": ["serve", "--ray", "--models-dir", str(tmp_path), "--port", "1"],
    }[command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "--ray needs Ray" in result.output and "stt-engine[ray]" in result.output
