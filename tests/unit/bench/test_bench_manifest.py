"""Reading NeMo-style manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stt_engine.bench.manifest import Selection, read_manifest
from stt_engine.errors import InvalidRequestError


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", "utf-8")
    return path


ROWS: list[dict[str, object]] = [
    {"audio_filepath": "en/a.flac", "duration": 3.0, "text": "hello", "lang": "en"},
    {
        "audio_filepath": "ko/lmy/b.flac",
        "duration": 5.0,
        "text": "오월",
        "lang": "ko",
        "text_written": "5월",
    },
    {"audio_filepath": "ko/lmy/c.flac", "duration": 50.0, "text": "네", "lang": "ko"},
    {"audio_filepath": "/abs/d.flac", "duration": 1.0, "text": "x", "lang": ""},
]


def test_paths_resolve_from_the_manifest_folder(tmp_path: Path) -> None:
    clips = read_manifest(write(tmp_path / "m.jsonl", ROWS))
    assert [c.path for c in clips] == [
        tmp_path / "en/a.flac",
        tmp_path / "ko/lmy/b.flac",
        tmp_path / "ko/lmy/c.flac",
        Path("/abs/d.flac"),
    ]
    assert clips[0].name == "en/a.flac" and clips[0].duration == 3.0
    assert clips[3].language == ""


def test_selection_by_language_substring_duration_and_limit(tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.jsonl", ROWS)
    assert [c.name for c in read_manifest(manifest, Selection(language="ko"))] == [
        "ko/lmy/b.flac",
        "ko/lmy/c.flac",
    ]
    assert [c.name for c in read_manifest(manifest, Selection(contains=("lmy",), limit=1))] == [
        "ko/lmy/b.flac"
    ]
    assert [c.name for c in read_manifest(manifest, Selection(max_duration=4.0))] == [
        "en/a.flac",
        "/abs/d.flac",
    ]


def test_several_substrings_keep_any_match(tmp_path: Path) -> None:
    selection = Selection(contains=("en/a", "c.flac"))
    names = [c.name for c in read_manifest(write(tmp_path / "m.jsonl", ROWS), selection)]
    assert names == ["en/a.flac", "ko/lmy/c.flac"]


def test_text_field_falls_back_to_text(tmp_path: Path) -> None:
    clips = read_manifest(write(tmp_path / "m.jsonl", ROWS), Selection(text_field="text_written"))
    assert [c.text for c in clips[:3]] == ["hello", "5월", "네"]


def test_nothing_selected_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="no clips selected"):
        read_manifest(write(tmp_path / "m.jsonl", ROWS), Selection(language="ja"))


def test_bad_line_names_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.flac"}\n{"duration": 1}\n', "utf-8")
    with pytest.raises(InvalidRequestError, match=r"m\.jsonl:2"):
        read_manifest(manifest)
    manifest.write_text("not json\n", "utf-8")
    with pytest.raises(InvalidRequestError, match="bad manifest line"):
        read_manifest(manifest)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="cannot read manifest"):
        read_manifest(tmp_path / "absent.jsonl")


def test_shared_manifest_lmy_selection(audio_dir: Path) -> None:
    selection = Selection(language="ko", contains=("ko/emotiontts/Main/main/lmy",), limit=50)
    clips = read_manifest(audio_dir / "manifest.jsonl", selection)
    assert len(clips) == 50
    assert all(c.path.is_file() and c.language == "ko" for c in clips)
    assert not any("derived" in c.name for c in clips)


def test_spread_takes_clips_evenly_over_the_selection(tmp_path: Path) -> None:
    rows = [
        {"audio_filepath": f"ko/{i:02d}.flac", "duration": 1.0, "text": "네", "lang": "ko"}
        for i in range(10)
    ]
    manifest = write(tmp_path / "m.jsonl", rows)
    spread = read_manifest(manifest, Selection(limit=4, spread=True))
    assert [c.name for c in spread] == ["ko/00.flac", "ko/02.flac", "ko/05.flac", "ko/07.flac"]
    first = read_manifest(manifest, Selection(limit=4))
    assert [c.name for c in first] == [f"ko/{i:02d}.flac" for i in range(4)]
    assert len(read_manifest(manifest, Selection(limit=20, spread=True))) == 10
