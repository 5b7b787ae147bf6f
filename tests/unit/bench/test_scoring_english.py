"""English scoring, checked by hand: WER after the English normaliser."""

from __future__ import annotations

import pytest

from stt_engine.bench.normalise import normalise, normalise_basic, normalise_english
from stt_engine.bench.scoring import Count, metrics_for, score


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    count = score(reference, hypothesis, "en").primary
    assert count.metric == "wer"
    return count.errors, count.reference_units


def test_english_reports_wer_with_the_english_normaliser() -> None:
    assert metrics_for("en") == ("wer",)
    assert score("a", "a", "en").normaliser == "english"
    assert score("a", "a", "de").normaliser == "basic"


def test_case_and_punctuation_do_not_count() -> None:
    # 22 words, identical after lowercasing and removing , : ; .
    reference = (
        "And so, my fellow Americans: ask not what your country can do for you; "
        "ask what you can do for your country."
    )
    hypothesis = (
        "and so my fellow americans ask not what your country can do for you "
        "ask what you can do for your country"
    )
    assert wer(reference, hypothesis) == (0, 22)


def test_contractions_are_expanded() -> None:
    # both -> "i can not believe it is not butter we will see" (11 words)
    assert wer(
        "I can't believe it's not butter, we'll see",
        "I cannot believe it is not butter we will see",
    ) == (0, 11)
    assert normalise_english("They're sure I'm right, don't you think?") == (
        "they are sure i am right do not you think"
    )


def test_spelled_numbers_become_digits_on_both_sides() -> None:
    # ref -> "21 people paid 1000 dollars on the 1st" (8 words), hyp the same.
    assert wer(
        "Twenty-one people paid $1,000 on the 1st.", "21 people paid 1000 dollars on the first"
    ) == (0, 8)
    assert normalise_english("twelve percent") == normalise_english("12%") == "12 percent"
    assert normalise_english("one hundred and five") == "105"


def test_fillers_and_bracketed_annotations_are_dropped() -> None:
    # ref -> "so i think we should go" (6 words)
    assert wer("so um I think [laughter] we should, uh, go", "So I think we should go.") == (0, 6)


def test_british_spellings_and_titles_are_mapped() -> None:
    assert wer("The colour of the theatre", "the color of the theater") == (0, 5)
    assert wer("Mr. Quilter is the apostle", "Mister Quilter is the apostle") == (0, 5)


def test_real_word_errors_count() -> None:
    # the cat sat on the mat -> the cat sat on a hat: 2 substitutions of 6 words.
    count = score("the cat sat on the mat", "the cat sat on a hat", "en").primary
    assert count == Count("wer", 2, 0, 0, 6)
    assert count.rate == pytest.approx(1 / 3)
    # "ask not" dropped: 2 deletions of 5.
    assert score("ask not what you can", "what you can", "en").primary == Count("wer", 0, 2, 0, 5)


def test_empty_hypothesis_and_empty_reference() -> None:
    assert score("hello world", "", "en").primary == Count("wer", 0, 2, 0, 2)
    silent = score("", "hello there", "en").primary
    assert silent == Count("wer", 0, 0, 2, 0) and silent.rate == 1.0
    assert score("[music]", "", "en").primary.rate == 0.0  # annotation only: nothing to say


def test_possessive_apostrophes_vanish_the_same_way() -> None:
    assert (
        normalise_english("beauty's rose") == normalise_english("beauty’s rose") == "beautys rose"
    )


def test_basic_normaliser_for_other_languages() -> None:
    assert normalise_basic("Der hinter diesem Portal, (sic) liegenden Raum!") == (
        "der hinter diesem portal liegenden raum"
    )
    assert normalise("Testar en två TRE.", "sv") == "testar en två tre"
    # two word errors of 5: "en" -> "ett", "fem" deleted
    assert score("Testar en två tre fem", "testar ett två tre", "sv").primary == Count(
        "wer", 1, 1, 0, 5
    )
