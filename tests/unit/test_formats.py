"""Writers: subtitles parse back with well-kept parsers; verbose_json fits OpenAI's schema."""

from __future__ import annotations

import io
import itertools
import json

import pytest
import srt
import webvtt
from openai.types.audio import Transcription, TranscriptionVerbose

from stt_engine.errors import InvalidRequestError
from stt_engine.formats import SubtitleOptions, cues, display_width, render, wrap
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo, Word

KO = "안녕하세요 오늘은 날씨가 아주 좋아서 우리는 다 함께 공원으로 산책을 가기로 했습니다"


def _transcript(words: bool = False) -> Transcript:
    info = TranscriptionInfo("ko", 0.98, 3725.5, 3700.0)
    first_words = (
        (Word(" 안녕하세요", 0.0, 0.8, 0.9), Word(" 오늘은", 0.9, 1.4, 0.8)) if words else None
    )
    segments = (
        Segment(0, 0, 0.0, 4.25, " " + KO, (50364, 1234), 0.0, -0.25, 1.3, 0.01, first_words),
        Segment(
            1,
            425,
            3600.5,
            3605.0,
            " 감사합니다.",
            (50364,),
            0.2,
            -0.4,
            0.9,
            0.02,
            (Word(" 감사합니다.", 3600.5, 3605.0, 0.95),) if words else None,
        ),
    )
    return Transcript(info, segments)


def test_srt_parses_back_with_times_and_text() -> None:
    parsed = list(srt.parse(render(_transcript(), "srt")))
    assert parsed[0].index == 1 and parsed[0].start.total_seconds() == 0.0
    assert parsed[-1].end.total_seconds() == pytest.approx(3605.0)
    joined = "".join(cue.content.replace("\n", " ") for cue in parsed[:-1])
    assert joined.replace(" ", "") == KO.replace(" ", "")
    assert [c.start for c in parsed] == sorted(c.start for c in parsed)


def test_vtt_parses_back() -> None:
    parsed = webvtt.from_buffer(io.StringIO(render(_transcript(), "vtt")))
    assert parsed.captions[-1].start == "01:00:00.500"
    assert parsed.captions[-1].text == "감사합니다."


def test_korean_lines_wrap_by_display_width() -> None:
    for line in wrap(KO, 20):
        assert display_width(line) <= 20
    assert display_width("한국어") == 6 and display_width("abc") == 3
    # 42 columns hold 21 Hangul syllables but 42 Latin letters.
    assert max(len(line) for line in wrap(KO, 42)) <= 21


def test_cues_respect_lines_per_cue_and_split_time_in_order() -> None:
    result = cues(_transcript(), SubtitleOptions(max_line_width=16, max_lines=1))
    assert all(len(lines) == 1 for _, _, lines, _ in result)
    first_segment = [c for c in result if c[1] <= 4.25 + 1e-9]
    assert len(first_segment) > 2 and first_segment[-1][1] == pytest.approx(4.25)
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(first_segment))


def test_verbose_json_matches_openai_schema_with_words() -> None:
    body = json.loads(render(_transcript(words=True), "verbose_json"))
    model = TranscriptionVerbose.model_validate(body)
    assert model.language == "korean" and model.duration == pytest.approx(3725.5)
    assert model.segments is not None and model.segments[1].seek == 425
    assert set(body["segments"][0]) == {
        "id",
        "seek",
        "start",
        "end",
        "text",
        "tokens",
        "temperature",
        "avg_logprob",
        "compression_ratio",
        "no_speech_prob",
    }
    assert model.words is not None and model.words[0].word == " 안녕하세요"


def test_json_text_and_tsv() -> None:
    transcript = _transcript()
    assert Transcription.model_validate_json(render(transcript, "json")).text.startswith("안녕")
    assert render(transcript, "text").endswith("감사합니다.\n")
    rows = render(transcript, "tsv").splitlines()
    assert rows[0] == "start\tend\ttext" and rows[2].startswith("3600500\t3605000\t")


def test_unknown_format_and_bad_subtitle_options() -> None:
    with pytest.raises(InvalidRequestError, match="unknown response_format"):
        render(_transcript(), "docx")
    with pytest.raises(InvalidRequestError, match="max_line_width"):
        SubtitleOptions(max_line_width=3)
