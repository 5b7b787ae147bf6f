"""numbers=spoken: digits read out, Korean readings for Korean and words for English; and
number edits on timed words (a merged word spans its parts)."""

from __future__ import annotations

import pytest

from stt_engine.text.edits import rewrite_text, rewrite_words
from stt_engine.text.itn import to_digits, to_spoken
from stt_engine.text.postprocess import PostProcess, postprocess
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo, Word

KOREAN = [
    ("2026년에 만나요", "이천이십육 년에 만나요"),
    ("7시에 봐요", "일곱 시에 봐요"),
    ("30분 뒤에", "삼십 분 뒤에"),
    ("010-1234-5678로 전화 주세요", "공일공 일이삼사 오육칠팔로 전화 주세요"),
    ("5만 원", "오만 원"),
    ("50,000원", "오만 원"),
    ("3개 주세요", "세 개 주세요"),
    ("25살이에요", "스물다섯 살이에요"),
    ("20명", "스무 명"),
    ("16,000명 이상", "만육천 명 이상"),
    ("1번 출구", "일 번 출구"),
    ("3월 15일", "삼월 십오일"),
    ("24.2이닝", "이십사점이이닝"),
    ("100미터 앞에서", "백 미터 앞에서"),
    ("1970년대", "천구백칠십 년대"),
    ("2시간 동안", "두 시간 동안"),
    ("228입니다", "이백이십팔입니다"),
    ("12시", "열두 시"),
    ("01012345678로", "공일공일이삼사오육칠팔로"),
]
ENGLISH = [
    ("I have 25 dogs", "I have twenty-five dogs"),
    ("1,000 cats", "one thousand cats"),
    ("in 2026", "in two thousand twenty-six"),
    ("7 days", "seven days"),
    ("0", "zero"),
    ("105 people", "one hundred five people"),
    ("5551234567.", "five five five one two three four five six seven."),
    ("007", "zero zero seven"),
]


@pytest.mark.parametrize(("written", "spoken"), KOREAN)
def test_korean_digits_are_read_out(written: str, spoken: str) -> None:
    assert rewrite_text(written, lambda tokens: to_spoken(tokens, "ko"))[0] == spoken


@pytest.mark.parametrize(("written", "spoken"), ENGLISH)
def test_english_digits_become_words(written: str, spoken: str) -> None:
    assert rewrite_text(written, lambda tokens: to_spoken(tokens, "en"))[0] == spoken


@pytest.mark.parametrize(
    "spoken",
    [
        "이천이십육 년에 만나요",
        "일곱 시에 봐요",
        "삼십 분 뒤에",
        "공일공 일이삼사 오육칠팔로",
        "오만 원",
        "구월 삼일",
    ],
)
def test_digits_and_back(spoken: str) -> None:
    written = rewrite_text(spoken, to_digits)[0]
    assert written != spoken
    assert rewrite_text(written, lambda tokens: to_spoken(tokens, "ko"))[0] == spoken


def test_other_languages_keep_their_digits() -> None:
    assert to_spoken(["2026"], "ja") == []


def test_a_merged_word_spans_its_parts() -> None:
    words = (
        Word(" 공일공", 1.0, 1.5, 0.9),
        Word(" 일이삼사", 1.5, 2.2, 0.8),
        Word(" 오육칠팔로", 2.2, 3.0, 0.95),
        Word(" 전화", 3.1, 3.4),
    )
    merged = rewrite_words(words, to_digits)
    assert merged == (Word(" 010-1234-5678로", 1.0, 3.0, 0.8), Word(" 전화", 3.1, 3.4))


def test_a_transcript_has_its_text_and_words_rewritten() -> None:
    words = (Word(" 일곱", 0.0, 0.4), Word(" 시에", 0.4, 0.8), Word(" 봐요", 0.9, 1.2))
    segment = Segment(0, 0, 0.0, 1.2, " 일곱 시에 봐요", words=words)
    transcript = Transcript(TranscriptionInfo("ko", 1.0, 1.2, 1.2), (segment,))
    done = postprocess(transcript, PostProcess(numbers="digits"))
    assert done.text == "7시에 봐요"
    assert done.segments[0].text == " 7시에 봐요"
    assert done.words == (Word(" 7시에", 0.0, 0.8), Word(" 봐요", 0.9, 1.2))
    spoken = postprocess(done, PostProcess(numbers="spoken"))
    assert spoken.text == "일곱 시에 봐요"
    assert postprocess(transcript, PostProcess()) == transcript
