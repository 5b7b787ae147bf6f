"""The batch machinery as `stt-engine transcribe` uses it: flat names, no manifest, --resume,
stdout, and failures reported with their hint. No model: outcomes are made by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.batch.driver import Driver
from stt_engine.batch.inputs import collect_files
from stt_engine.batch.outputs import MANIFEST_NAME, Record
from stt_engine.batch.work import BatchSpec, Outcome, failed
from stt_engine.engine import TranscribeOptions
from stt_engine.errors import InvalidRequestError
from stt_engine.formats import SubtitleOptions

SPEC = BatchSpec(("text", "srt"), TranscribeOptions(), SubtitleOptions())


def _touch(path: Path, data: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _ok(source: Path, key: str) -> Outcome:
    record = Record(file=str(source), key=key, status="ok", duration=1.0, language="en")
    return Outcome(record, {"text": f"{key}\n", "srt": "1\n"})


def test_files_are_taken_as_given_and_folders_keyed_by_stem(tmp_path: Path) -> None:
    notes = _touch(tmp_path / "notes.txt")  # named directly: taken whatever its suffix
    _touch(tmp_path / "in" / "deep" / "b.FLAC")
    _touch(tmp_path / "in" / "a.wav")
    _touch(tmp_path / "in" / "skip.md")
    items = collect_files((notes, tmp_path / "in", notes))
    assert [(i.key, i.source) for i in items] == [
        ("notes", notes),
        ("a", tmp_path / "in" / "a.wav"),
        ("b", tmp_path / "in" / "deep" / "b.FLAC"),
    ]


def test_two_files_on_one_name_are_refused_before_anything_runs(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "x" / "clip.wav")
    _touch(tmp_path / "in" / "y" / "clip.mp3")
    with pytest.raises(InvalidRequestError, match="would both write 'clip'") as caught:
        collect_files((tmp_path / "in",))
    assert "batch keeps sub-folders" in str(caught.value.hint)


def test_without_a_manifest_only_the_outputs_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _touch(tmp_path / "a.wav")
    out = tmp_path / "out"
    driver = Driver(collect_files((source,)), out, SPEC, False, manifest=False, resume=False)
    driver.finish(_ok(source, "a"))
    driver.close()
    assert sorted(p.name for p in out.iterdir()) == ["a.srt", "a.txt"]
    assert not (out / MANIFEST_NAME).exists()
    assert f"done: {source} -> {out / 'a.txt'}, {out / 'a.srt'}" in capsys.readouterr().err


def test_resume_skips_only_items_whose_outputs_all_hold_something(tmp_path: Path) -> None:
    done, empty, half = (_touch(tmp_path / f"{n}.wav") for n in ("done", "empty", "half"))
    out = tmp_path / "out"
    _touch(out / "done.txt", b"hi")
    _touch(out / "done.srt", b"1")
    _touch(out / "empty.txt")
    _touch(out / "empty.srt", b"1")
    _touch(out / "half.txt", b"hi")
    items = collect_files((done, empty, half))
    resumed = Driver(items, out, SPEC, False, manifest=False, resume=True)
    assert [i.key for i in resumed.skipped] == ["done"]
    assert [i.key for i in resumed.pending] == ["empty", "half"]
    again = Driver(items, out, SPEC, False, manifest=False, resume=False)
    assert again.skipped == [] and len(again.pending) == 3


def test_no_output_folder_prints_the_transcript_and_is_never_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _touch(tmp_path / "a.wav")
    spec = BatchSpec(("text",), TranscribeOptions(), SubtitleOptions())
    driver = Driver(collect_files((source,)), None, spec, False, manifest=False, resume=True)
    assert driver.pending and not driver.skipped
    driver.finish(_ok(source, "a"))
    assert "1 transcribed" in driver.close()
    printed = capsys.readouterr()
    assert printed.out == "a\n" and "done:" not in printed.err
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


def test_a_failure_names_the_file_the_reason_and_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _touch(tmp_path / "a.wav")
    driver = Driver(collect_files((source,)), tmp_path / "out", SPEC, False, manifest=False)
    driver.finish(failed(driver.pending[0], "not audio", "send a wav"))
    driver.close()
    assert f"failed: {source}: not audio (send a wav)" in capsys.readouterr().err
    assert driver.tally.failed == 1 and not (tmp_path / "out").exists()


def test_progress_counts_audio_seconds_once_and_never_past_the_total(tmp_path: Path) -> None:
    source = _touch(tmp_path / "a.wav")  # declares no duration: the bar's total is 0
    driver = Driver(collect_files((source,)), tmp_path / "out", SPEC, False, manifest=False)
    tick = driver.progress_of(driver.pending[0])
    tick(0.5)
    tick(0.25)  # never backwards
    driver.finish(_ok(source, "a"))
    assert driver.bar.n == 0 and driver.tally.audio_seconds == 1.0
    driver.close()
