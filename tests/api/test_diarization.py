"""Speakers through the live server and the official ``openai`` client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai import BadRequestError, OpenAI

from stt_engine.diarize import run

pytestmark = pytest.mark.slow

STEREO = ("en", "fw_stereo_diarization.wav")
TWO_SPEAKERS_CHANGE = 10.05  # where the second voice starts in the two_speakers fixture


def _create(client: OpenAI, path: Path, fmt: str, words: bool = False, **extra: str) -> object:
    with path.open("rb") as audio:
        return client.audio.transcriptions.create(  # type: ignore[call-overload, no-any-return]
            file=audio,
            model="whisper-1",
            language="en",
            response_format=fmt,
            timestamp_granularities=["word", "segment"] if words else None,
            extra_body=extra or None,
        )


def test_diarized_json_names_both_speakers(client: OpenAI, two_speakers: Path) -> None:
    result = _create(client, two_speakers, "diarized_json")
    segments = result.segments  # type: ignore[attr-defined]
    assert {s.speaker for s in segments} == {"SPEAKER_1", "SPEAKER_2"}
    before = [s for s in segments if (s.start + s.end) / 2 < TWO_SPEAKERS_CHANGE]
    after = [s for s in segments if (s.start + s.end) / 2 >= TWO_SPEAKERS_CHANGE]
    assert before and after
    assert {s.speaker for s in before} == {"SPEAKER_1"}
    assert {s.speaker for s in after} == {"SPEAKER_2"}
    assert "printing" in " ".join(s.text for s in before).lower()
    assert "country" in " ".join(s.text for s in after).lower()


def test_verbose_json_words_carry_speakers(client: OpenAI, two_speakers: Path) -> None:
    result = _create(client, two_speakers, "verbose_json", True, diarize="true", num_speakers="2")
    body = result.model_dump()  # type: ignore[attr-defined]
    assert {s["speaker"] for s in body["segments"]} == {"SPEAKER_1", "SPEAKER_2"}
    words = body["words"]
    assert words and all(w["speaker"] in ("SPEAKER_1", "SPEAKER_2") for w in words)
    late = [w for w in words if w["start"] > TWO_SPEAKERS_CHANGE + 0.5]
    assert late and all(w["speaker"] == "SPEAKER_2" for w in late)


def test_vtt_voice_tags_from_a_stereo_call(client: OpenAI, audio_dir: Path) -> None:
    vtt = _create(client, audio_dir.joinpath(*STEREO), "vtt", diarize="true",
                  diarize_mode="channels")  # fmt: skip
    assert "<v SPEAKER_1>" in str(vtt)


def test_srt_labels_from_a_stereo_call(client: OpenAI, audio_dir: Path) -> None:
    text = str(_create(client, audio_dir.joinpath(*STEREO), "srt", diarize="true"))
    assert "[SPEAKER_1] " in text  # auto: the channels hold different parties


def test_without_diarize_no_speakers(client: OpenAI, audio_dir: Path) -> None:
    result = _create(client, audio_dir.joinpath(*STEREO), "verbose_json")
    assert all("speaker" not in s for s in json.loads(result.model_dump_json())["segments"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("diarize_mode", "voices", "unknown diarize_mode 'voices'"),
        ("num_speakers", "99", "invalid num_speakers"),
        ("max_speakers", "two", "is not a whole number"),
    ],
)
def test_bad_fields_are_400(
    client: OpenAI, audio_dir: Path, field: str, value: str, message: str
) -> None:
    with pytest.raises(BadRequestError, match=message) as caught:
        _create(client, audio_dir.joinpath(*STEREO), "json", diarize="true", **{field: value})
    assert caught.value.status_code == 400


def test_min_above_max_is_400(client: OpenAI, audio_dir: Path) -> None:
    with pytest.raises(BadRequestError, match="min_speakers"):
        _create(client, audio_dir.joinpath(*STEREO), "json", diarize="true",
                min_speakers="4", max_speakers="2")  # fmt: skip


def test_missing_extra_is_a_clear_400(
    client: OpenAI, audio_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "available", lambda: False)
    with pytest.raises(BadRequestError, match="not installed") as caught:
        _create(client, audio_dir.joinpath(*STEREO), "diarized_json")
    assert caught.value.code == "diarization_unavailable"
    # the channels mode needs no extra
    text = _create(client, audio_dir.joinpath(*STEREO), "text", diarize="true",
                   diarize_mode="channels")  # fmt: skip
    assert str(text).startswith("[SPEAKER_")
