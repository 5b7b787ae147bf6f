"""The batch parts without a model: listing inputs, the manifest journal, writing once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stt_engine.batch.driver import Driver
from stt_engine.batch.inputs import collect
from stt_engine.batch.outputs import MANIFEST_NAME, Manifest, Record, read_records, write_atomic
from stt_engine.batch.work import BatchSpec, Outcome
from stt_engine.engine import TranscribeOptions
from stt_engine.errors import InvalidRequestError
from stt_engine.formats import SubtitleOptions


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_folders_keep_their_sub_paths_and_skip_non_audio(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "2024" / "a.wav")
    _touch(tmp_path / "in" / "b.MP3")
    _touch(tmp_path / "in" / "notes.txt")
    items = collect((tmp_path / "in",))
    assert [i.key for i in items] == ["2024/a", "b"]
    assert all(i.source.is_absolute() for i in items)


def test_manifest_and_list_paths_are_relative_to_them(tmp_path: Path) -> None:
    _touch(tmp_path / "audio" / "x.flac")
    _touch(tmp_path / "elsewhere" / "y.flac")
    manifest = tmp_path / "m.jsonl"
    lines = [{"audio_filepath": "audio/x.flac", "text": "ref"}, {"file": "audio/x.flac"}]
    manifest.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    listing = tmp_path / "lists" / "list.txt"  # y.flac is outside its folder: the name alone
    listing.parent.mkdir()
    listing.write_text(f"# comment\n\n{tmp_path / 'elsewhere' / 'y.flac'}\n")
    items = collect((manifest, listing))
    assert [(i.key, i.source.name) for i in items] == [("audio/x", "x.flac"), ("y", "y.flac")]


def test_two_files_on_one_output_are_refused(tmp_path: Path) -> None:
    one, two = _touch(tmp_path / "a" / "clip.wav"), _touch(tmp_path / "b" / "clip.flac")
    with pytest.raises(InvalidRequestError, match="would both write 'clip'"):
        collect((one, two))


def test_bad_manifest_lines_name_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav"}\nnot json\n')
    with pytest.raises(InvalidRequestError, match=r"m.jsonl:2: not JSON"):
        collect((manifest,))


def test_a_line_cut_short_is_ignored_and_the_next_run_compacts(tmp_path: Path) -> None:
    ok = Record(file="/a.wav", key="a", status="ok", duration=1.0, language="en")
    failed = Record(file="/b.wav", key="b", status="error", error="bad")
    path = tmp_path / MANIFEST_NAME
    path.write_text(ok.line() + failed.line() + ok.line()[:25])  # a crash mid-line
    assert read_records(path) == {"a": ok, "b": failed}
    manifest = Manifest(tmp_path)
    assert manifest.done("a") and not manifest.done("b")
    retried = Record(file="/b.wav", key="b", status="ok", duration=2.0)
    manifest.add(retried)
    manifest.close()
    lines = path.read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["a", "b"]
    assert read_records(path)["b"] == retried


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.txt"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_the_driver_writes_an_item_once_per_run(tmp_path: Path) -> None:
    source = _touch(tmp_path / "in" / "a.wav")
    spec = BatchSpec(("text",), TranscribeOptions(), SubtitleOptions())
    out = tmp_path / "out"
    driver = Driver(collect((source,)), out, spec, progress=False)
    record = Record(file=str(source), key="a", status="ok", duration=1.0)
    driver.finish(Outcome(record, {"text": "hello\n"}))
    driver.finish(Outcome(record, {"text": "again\n"}))  # a retried task's second result
    assert "1 transcribed" in driver.close()
    assert (out / "a.txt").read_text() == "hello\n"
    assert len((out / MANIFEST_NAME).read_text().splitlines()) == 1
    assert Driver(collect((source,)), out, spec, progress=False).pending == []
