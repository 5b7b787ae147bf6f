"""Korean scoring, checked by hand: CER without spaces or punctuation, space-normalised WER."""

from __future__ import annotations

import unicodedata

import pytest

from stt_engine.bench.normalise import normalise_korean, normaliser_for
from stt_engine.bench.scoring import Count, aggregate, metrics_for, respace_like, score, word_count
from stt_engine.text.numbers_ko import read_numerals, sino_korean


def figures(reference: str, hypothesis: str) -> dict[str, tuple[int, int]]:
    result = score(reference, hypothesis, "ko")
    return {c.metric: (c.errors, c.reference_units) for c in result.counts}


def test_korean_reports_cer_first_then_swer_with_the_korean_normaliser() -> None:
    assert metrics_for("ko") == ("cer", "swer")
    assert metrics_for("ja") == ("cer",) and metrics_for("zh") == ("cer",)
    assert normaliser_for("ko") == "korean"
    assert normaliser_for("ja") == normaliser_for("zh") == "cjk"
    assert score("가", "가", "ko").normaliser == "korean"


def test_spacing_difference_is_not_an_error() -> None:
    # ref chars 커피한잔주세요 = 7, hyp the same 7 -> CER 0/7.
    # Plain WER: ref 커피|한|잔|주세요 (4 words), hyp 커피|한잔|주세요 -> 1 sub + 1 del = 2/4.
    # sWER: the hypothesis takes the reference's spacing where characters match -> 0/4.
    assert figures("커피 한 잔 주세요", "커피 한잔 주세요") == {"cer": (0, 7), "swer": (0, 4)}
    assert word_count("커피 한 잔 주세요", "커피 한잔 주세요") == Count("wer", 1, 1, 0, 4)


def test_missing_particle_costs_one_character_and_one_word() -> None:
    # 나는오늘학교에갔다 = 9 chars; hyp lacks 에 -> 1 deletion: CER 1/9.
    # sWER: 나는|오늘|학교에|갔다 vs 나는|오늘|학교|갔다 -> 1 substitution: 1/4.
    assert figures("나는 오늘 학교에 갔다", "나는 오늘 학교 갔다") == {
        "cer": (1, 9),
        "swer": (1, 4),
    }


def test_punctuation_is_removed_on_both_sides() -> None:
    # 네고객님바로도와드리겠습니다 on both sides after removing , . ! ? and spaces.
    assert figures("네, 고객님. 바로 도와드리겠습니다!", "네 고객님 바로 도와드리겠습니다?") == {
        "cer": (0, 14),
        "swer": (0, 4),
    }


def test_digits_are_read_as_sino_korean_numbers() -> None:
    # ref 이천구년 삼월 십오일 (9 syllables); hyp 2009년 3월 15일 reads the same -> 0/9.
    assert figures("이천구년 삼월 십오일", "2009년 3월 15일") == {"cer": (0, 9), "swer": (0, 3)}
    # 만육천명 against 16,000명: the comma is a digit group, 16000 reads 만육천 -> 0/4.
    assert figures("만육천명", "16,000명") == {"cer": (0, 4), "swer": (0, 1)}


def test_native_korean_counters_still_differ_from_digits() -> None:
    # 사과세개주세요 vs 사과삼개주세요 (3 read as 삼): 세 -> 삼 is 1 substitution of 7 chars.
    # sWER: hyp respaced to 사과|삼개|주세요 vs 사과|세|개|주세요 -> 1 sub + 1 del = 2/4.
    assert figures("사과 세 개 주세요", "사과 3개 주세요.") == {"cer": (1, 7), "swer": (2, 4)}


def test_empty_hypothesis_deletes_every_reference_unit() -> None:
    # 괜찮아요 = 4 syllables, all deleted; one word deleted.
    result = score("괜찮아요.", "", "ko")
    assert result.primary == Count("cer", 0, 4, 0, 4)
    assert result.primary.rate == 1.0
    assert result.count("swer") == Count("swer", 0, 1, 0, 1)


def test_empty_reference_counts_insertions_and_rate_convention() -> None:
    # Nothing to say, but the system said 네요 (2 syllables): 2 insertions over 0 units.
    result = score("", "네요", "ko")
    assert result.primary == Count("cer", 0, 0, 2, 0)
    assert result.primary.rate == 1.0
    silent = score("", "", "ko")
    assert silent.primary == Count("cer", 0, 0, 0, 0) and silent.primary.rate == 0.0


def test_hangul_stays_in_syllables_even_from_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "한국어 음성")
    assert len(decomposed.replace(" ", "")) > 5  # conjoining jamo
    assert normalise_korean(decomposed) == "한국어 음성"
    # NFD reference vs NFC hypothesis: same 5 syllables, no errors.
    assert figures(decomposed, "한국어 음성") == {"cer": (0, 5), "swer": (0, 2)}


def test_latin_words_inside_korean_are_lowercased() -> None:
    assert figures("Apple 제품", "apple 제품") == {"cer": (0, 7), "swer": (0, 2)}


def test_substitution_in_a_real_whisper_output() -> None:
    # 세계적으로널리알려진아르헨티나의민요예술가예요 = 23 syllables.
    # hyp 세계적으로널리할려진아리엔티나의미니오예술가에요 = 24: aligned, 알->할, 르->리,
    # 헨->엔, 민->미, 요->니, +오 (insert), 예->에 (in 가예요): 6 substitutions + 1 insertion.
    result = score(
        "세계적으로 널리 알려진 아르헨티나의 민요 예술가예요.",
        "세계적으로 널리할려진 아리 엔티나의 미니오 예술가에요.",
        "ko",
    )
    assert (result.primary.errors, result.primary.reference_units) == (7, 23)


def test_respace_keeps_hypothesis_spacing_next_to_errors() -> None:
    assert respace_like("가나 다라", "가나다라마") == "가나 다라마"
    assert respace_like("나는오늘", "나는 오늘") == "나는오늘"
    assert respace_like("", "가 나") == "가 나"


def test_corpus_rate_is_total_errors_over_total_units() -> None:
    counts = [
        score("커피 한 잔 주세요", "커피 한잔 주세요", "ko").primary,  # 0 / 7
        score("사과 세 개 주세요", "사과 3개 주세요", "ko").primary,  # 1 / 7
        score("괜찮아요", "", "ko").primary,  # 4 / 4
    ]
    cer = aggregate(counts)["cer"]
    assert (cer.errors, cer.reference_units, cer.files) == (5, 18, 3)
    assert cer.rate == pytest.approx(5 / 18)  # 0.2778
    assert cer.mean_per_file == pytest.approx((0 + 1 / 7 + 1) / 3)  # 0.3810
    assert (cer.substitutions, cer.deletions, cer.insertions) == (1, 4, 0)


def test_japanese_and_chinese_use_cer_without_spaces() -> None:
    # 真っ昼間なのに = 7 chars; hyp drops っ -> 1/7.
    assert score("真っ昼間なのに。", "真昼間 なのに", "ja").primary == Count("cer", 0, 1, 0, 7)
    # 广州市房地产中介协会分析 = 12 chars, one substitution (析 -> 细).
    assert score("广州市房地产中介协会分析", "广州市房地产中介协会分细", "zh").primary == Count(
        "cer", 1, 0, 0, 12
    )


@pytest.mark.parametrize(
    ("value", "reading"),
    [(0, "영"), (1, "일"), (10, "십"), (11, "십일"), (20, "이십"), (100, "백"), (105, "백오"),
     (1000, "천"), (1970, "천구백칠십"), (2009, "이천구"), (10000, "만"), (16000, "만육천"),
     (20000, "이만"), (600000, "육십만"), (100000000, "일억"),
     (123456789, "일억이천삼백사십오만육천칠백팔십구")],
)  # fmt: skip
def test_sino_korean_readings(value: int, reading: str) -> None:
    assert sino_korean(value) == reading


def test_read_numerals_in_text() -> None:
    assert read_numerals("24.2이닝 방어율 5.47") == "이십사점이이닝 방어율 오점사칠"
    assert read_numerals("이천에 60만 원") == "이천에 육십만 원"
    assert read_numerals("no digits") == "no digits"
