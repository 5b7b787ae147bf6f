"""Number formatting both ways: ``digits`` (inverse text normalisation) and ``spoken``.

``digits``: Korean numerals with their counters and phone-like digit runs (itn_ko.py), and
spelled English numbers of two words or more, or of ten and above ("twenty five" -> "25",
"twenty first" -> "21st"; "one of them" stays). ``spoken``: digits read out, the Korean way
for Korean ("7시" -> "일곱 시", "2026년" -> "이천이십육 년", "010-1234-5678" -> "공일공
일이삼사 오육칠팔") and in words for English ("25" -> "twenty-five").

Both work on tokens and return edits (edits.py), so timed words follow the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stt_engine.text.edits import Edit, scan
from stt_engine.text.itn_ko import KOREAN_RULES, NATIVE_COUNTERS, SINO_COUNTERS
from stt_engine.text.numbers_en import CARDINALS, number_spans, spoken_english
from stt_engine.text.numbers_ko import native_korean, read_digits, read_numerals, sino_korean

_ONES = sorted(CARDINALS, key=CARDINALS.__getitem__)[:10]
NUMBER_MODES = ("keep", "digits", "spoken")
_WORD = re.compile(r"^([^\w]*)([a-z]+(?:-[a-z]+)?)([^\w]*)$")
_KOREAN_NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(만|억|조)?(.*)$")
_PHONE = re.compile(r"^(\d{2,4})-(\d{3,4})-(\d{4})(.*)$")
_LONG_DIGITS = re.compile(r"^(0\d+|\d{7,})(\D*)$")  # codes and phone numbers: digit by digit
_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}
_SPOKEN_NATIVE = frozenset(NATIVE_COUNTERS) - {"번"}  # "1번" is number one, read 일 번


def to_digits(tokens: Sequence[str]) -> list[Edit]:
    """Edits that write spoken numbers as digits, Korean and English."""
    edits = scan(tokens, KOREAN_RULES) + _english_digits(tokens)
    return _without_overlaps(edits)


def _english_digits(tokens: Sequence[str]) -> list[Edit]:
    words: list[str] = []
    owner: list[int] = []  # the token each word came from
    affixes: dict[int, tuple[str, str]] = {}
    for index, token in enumerate(tokens):
        match = _WORD.match(token.lower())
        if match is None:
            words.append("\0")
            owner.append(index)
            continue
        affixes[index] = (match.group(1), match.group(3))
        for part in match.group(2).split("-"):
            words.append(part)
            owner.append(index)
    edits = []
    for start, end, digits in number_spans(words):
        first, last = owner[start], owner[end - 1]
        whole = (start == 0 or owner[start - 1] != first) and (
            end == len(words) or owner[end] != last
        )
        value = int(re.sub(r"\D", "", digits))
        if whole and (end - start >= 2 or value >= 10):
            text = affixes[first][0] + digits + affixes[last][1]
            edits.append(Edit(first, last + 1, text))
    return edits


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    kept: list[Edit] = []
    for edit in sorted(edits, key=lambda e: e.start):
        if not kept or edit.start >= kept[-1].end:
            kept.append(edit)
    return kept


def to_spoken(tokens: Sequence[str], language: str) -> list[Edit]:
    """Edits that read digits out: Korean readings for "ko", words for "en"."""
    speak = _korean_spoken if language == "ko" else _english_spoken if language == "en" else None
    if speak is None:
        return []
    edits = []
    for index, token in enumerate(tokens):
        if any(ch.isdigit() for ch in token):
            spoken = speak(token)
            if spoken != token:
                edits.append(Edit(index, index + 1, spoken))
    return edits


def _korean_spoken(token: str) -> str:
    long = _LONG_DIGITS.match(token)
    if long is not None:
        return read_digits(long.group(1)) + long.group(2)
    phone = _PHONE.match(token)
    if phone is not None:
        return " ".join(read_digits(g) for g in phone.groups()[:3]) + phone.group(4)
    match = _KOREAN_NUMBER.match(token)
    if match is None:
        return read_numerals(token)
    value = int(match.group(1).replace(",", "")) * _BIG.get(match.group(2) or "", 1)
    rest = match.group(3)
    counter = next((c for c in (*NATIVE_COUNTERS, *SINO_COUNTERS) if rest.startswith(c)), "")
    native = native_korean(value) if counter in _SPOKEN_NATIVE else None
    if counter and native is not None:
        return f"{native} {rest}"
    reading = sino_korean(value)
    if rest.startswith("."):
        return read_numerals(token)
    if counter in ("월", "일"):  # months and days are written as one word: 삼월 십오일
        return reading + rest
    return f"{reading} {rest}" if counter else reading + read_numerals(rest)


def _english_spoken(token: str) -> str:
    long = _LONG_DIGITS.match(token)
    if long is not None:
        return " ".join(_ONES[int(d)] for d in long.group(1)) + long.group(2)
    return re.sub(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+", lambda m: _english_value(m.group()), token)


def _english_value(digits: str) -> str:
    value = int(digits.replace(",", ""))
    return spoken_english(value) if value < 10**12 else digits
