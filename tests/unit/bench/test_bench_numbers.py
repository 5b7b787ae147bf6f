"""Spelled English numbers to digits."""

from __future__ import annotations

import pytest

from stt_engine.text.numbers_en import ordinal_suffix, words_to_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("twenty one", "21"),
        ("forty two line bible", "42 line bible"),
        ("one hundred and five", "105"),
        ("a hundred and five", "105"),
        ("a thousand years", "1000 years"),
        ("two thousand and nine", "2009"),
        ("nineteen hundred", "1900"),
        ("nineteen ninety", "19 90"),
        ("one two three", "1 2 3"),
        ("zero five", "0 5"),
        ("three million two hundred thousand", "3200000"),
        ("the first time", "the 1st time"),
        ("twenty first century", "21st century"),
        ("the fifteenth century", "the 15th century"),
        ("one hundredth", "100th"),
        ("the twentieth", "the 20th"),
        ("bread and butter", "bread and butter"),
        ("hundred", "hundred"),
        ("five and six", "5 and 6"),
        ("one hundred and", "100 and"),
    ],
)
def test_words_to_digits(text: str, expected: str) -> None:
    assert " ".join(words_to_digits(text.split())) == expected


@pytest.mark.parametrize(
    ("value", "suffix"),
    [
        (1, "st"),
        (2, "nd"),
        (3, "rd"),
        (4, "th"),
        (11, "th"),
        (12, "th"),
        (13, "th"),
        (21, "st"),
        (22, "nd"),
        (101, "st"),
        (111, "th"),
    ],
)
def test_ordinal_suffix(value: int, suffix: str) -> None:
    assert ordinal_suffix(value) == suffix
