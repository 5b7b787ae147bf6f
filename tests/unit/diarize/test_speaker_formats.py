"""Speakers in the writers: diarized_json, verbose_json, text, srt and vtt."""

from __future__ import annotations

import json

import srt
import webvtt
from openai.types.audio import TranscriptionDiarized, TranscriptionVerbose

from stt_engine.formats import SubtitleOptions, render
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo, Word

A, B = "SPEAKER_1", "SPEAKER_2"


def _transcript() -> Transcript:
    info = TranscriptionInfo("en", 0.99, 6.0, 6.0)
    segments = (
        Segment(
            0,
            0,
            0.0,
            1.5,
            " Hello there.",
            words=(Word(" Hello", 0, 0.7, speaker=A), Word(" there.", 0.7, 1.5, speaker=A)),
            speaker=A,
        ),
        Segment(1, 0, 1.6, 3.0, " Hi <you> & me.", speaker=B),
        Segment(2, 0, 3.2, 6.0, " A long answer that wraps over more than one line.", speaker=B),
    )
    return Transcript(info, segments)


def test_diarized_json_fits_openai_type() -> None:
    body = TranscriptionDiarized.model_validate_json(render(_transcript(), "diarized_json"))
    assert [(s.speaker, s.start, s.end, s.text) for s in body.segments] == [
        (A, 0.0, 1.5, "Hello there."),
        (B, 1.6, 3.0, "Hi <you> & me."),
        (B, 3.2, 6.0, "A long answer that wraps over more than one line."),
    ]
    assert body.segments[0].type == "transcript.text.segment" and body.duration == 6.0


def test_verbose_json_has_speakers_on_segments_and_words() -> None:
    body = json.loads(render(_transcript(), "verbose_json"))
    TranscriptionVerbose.model_validate(body)
    assert [s["speaker"] for s in body["segments"]] == [A, B, B]
    assert [w["speaker"] for w in body["words"]] == [A, A]


def test_verbose_json_without_diarization_has_no_speaker_keys() -> None:
    plain = Transcript(TranscriptionInfo("en", 1, 1, 1), (Segment(0, 0, 0, 1, " x"),))
    assert "speaker" not in json.loads(render(plain, "verbose_json"))["segments"][0]


def test_text_starts_each_speakers_run_with_a_label() -> None:
    assert render(_transcript(), "text").splitlines() == [
        "[SPEAKER_1] Hello there.",
        "[SPEAKER_2] Hi <you> & me. A long answer that wraps over more than one line.",
    ]


def test_srt_cues_carry_the_speaker_and_fit_the_width() -> None:
    options = SubtitleOptions(max_line_width=30, max_lines=2)
    subtitles = list(srt.parse(render(_transcript(), "srt", options)))
    assert subtitles[0].content.startswith("[SPEAKER_1] Hello")
    assert all(s.content.startswith("[SPEAKER_2] ") for s in subtitles[1:])
    assert all(len(line) <= 30 for s in subtitles for line in s.content.splitlines())


def test_vtt_voice_tags_parse_back() -> None:
    text = render(_transcript(), "vtt")
    captions = webvtt.from_string(text).captions
    assert captions[0].voice == A and captions[1].voice == B
    assert captions[1].text == "Hi &lt;you&gt; &amp; me."  # webvtt-py keeps the escapes
    assert "<v SPEAKER_2>Hi &lt;you&gt; &amp; me." in text
