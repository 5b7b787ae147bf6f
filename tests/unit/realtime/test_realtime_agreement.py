"""LocalAgreement: deltas only of words two passes agree on, never retracted."""

from __future__ import annotations

from stt_engine.realtime.agreement import LocalAgreement


def test_words_confirmed_by_two_passes() -> None:
    agreement = LocalAgreement()
    assert agreement.update("세계적으로 널리") == ""
    assert agreement.update("세계적으로 널리 알려진") == "세계적으로 널리"
    assert agreement.update("세계적으로 널리 알려진 아르헨티나의") == " 알려진"
    assert agreement.text == "세계적으로 널리 알려진"


def test_a_changed_word_stops_agreement_and_nothing_is_retracted() -> None:
    agreement = LocalAgreement()
    agreement.update("And so my fellow")
    assert agreement.update("And so, my fellow Americans") == "And so, my fellow"
    # a later pass that rewrites confirmed words confirms nothing new
    assert agreement.update("Ends on my fellow Americans ask") == ""
    assert agreement.update("And so my fellow Americans ask not") == ""
    assert agreement.update("And so my fellow Americans ask not what") == " Americans ask not"
    assert agreement.text == "And so, my fellow Americans ask not"


def test_a_split_character_is_never_confirmed() -> None:
    agreement = LocalAgreement()
    agreement.update("좋아해요 \ufffd")
    assert agreement.update("좋아해요 \ufffd") == "좋아해요"


def test_finish_sends_the_rest_even_past_a_word_read_differently() -> None:
    agreement = LocalAgreement()
    agreement.update("ask not what")
    agreement.update("ask not what your")
    assert agreement.finish("Ask not what your country can do") == " your country can do"
    other = LocalAgreement()
    other.update("ask not")
    other.update("ask not what")
    assert other.finish("Ask what you can do") == " you can do"  # "not" was heard as "what"
    korean = LocalAgreement()
    korean.update("아이들은 보통 5개의 뼈로")
    korean.update("아이들은 보통 5개의 뼈로 되어")
    assert korean.finish("아이들은 보통 다섯 개의 뼈로 되어 있어요.") == " 되어 있어요."
    done = LocalAgreement()
    done.update("끝입니다")
    done.update("끝입니다")
    assert done.finish("끝입니다") == ""
