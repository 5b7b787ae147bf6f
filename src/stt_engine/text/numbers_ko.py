"""Korean numbers both ways: digits read as Sino-Korean or native words, and words parsed.

Whisper writes numbers as digits ("2009년", "3월 15일"); Korean references are often written
as read ("이천구년", "삼월 십오일"). Reading digits the Sino-Korean way on both sides makes
those agree. Native counters ("다섯 개" against "5개") still differ: choosing between Sino and
native readings depends on the counter word and is not attempted.

Readings: 1 is silent before 십/백/천 and before 만 when it stands alone (10000 -> 만,
16000 -> 만육천); 0 -> 영; a decimal point -> 점 with the digits after it read one by one
(24.2 -> 이십사점이).

The same readings serve the ``numbers=spoken`` option, and their inverse (``parse_sino``,
``parse_native``, ``parse_digit_string``) serves ``numbers=digits``.
"""

from __future__ import annotations

import re

DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ((1000, "천"), (100, "백"), (10, "십"))
_BIG_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _below_10000(value: int) -> str:
    out = []
    for unit, name in _SMALL_UNITS:
        count, value = divmod(value, unit)
        if count:
            out.append(("" if count == 1 else DIGITS[count]) + name)
    if value:
        out.append(DIGITS[value])
    return "".join(out)


def sino_korean(value: int) -> str:
    """The Sino-Korean reading of a non-negative integer."""
    if value == 0:
        return DIGITS[0]
    out = []
    for unit, name in _BIG_UNITS:
        count, value = divmod(value, unit)
        if count:
            prefix = "" if count == 1 and name == "만" else _below_10000_or_more(count)
            out.append(prefix + name)
    if value:
        out.append(_below_10000(value))
    return "".join(out)


def _below_10000_or_more(count: int) -> str:
    return _below_10000(count) if count < 10000 else sino_korean(count)


def _read(match: re.Match[str]) -> str:
    whole, _, fraction = match.group().replace(",", "").partition(".")
    reading = sino_korean(int(whole))
    if fraction:
        reading += "점" + "".join(DIGITS[int(d)] for d in fraction)
    return reading


def read_numerals(text: str) -> str:
    """The text with every Arabic numeral replaced by its Sino-Korean reading."""
    return _NUMBER.sub(_read, text)


_DIGIT_VALUES = {ch: i for i, ch in enumerate(DIGITS)} | {"공": 0}
DIGIT_SYLLABLES = frozenset(_DIGIT_VALUES)
_SMALL_VALUES = {name: unit for unit, name in _SMALL_UNITS}
_BIG_VALUES = {name: unit for unit, name in _BIG_UNITS}
NUMBER_SYLLABLES = frozenset(DIGITS) | frozenset(_SMALL_VALUES) | frozenset(_BIG_VALUES)


def parse_sino(text: str) -> int | None:
    """The value of a Sino-Korean numeral ("이천이십육" -> 2026, "만" -> 10000), else None.

    Units must fall within a section (천 before 백 before 십) and sections must fall (조, 억,
    만); two digits in a row ("일이") are a digit string, not a numeral.
    """
    if text == "영":
        return 0
    total, section, digit = 0, 0, None
    last_small, last_big = 10**5, 10**13
    for ch in text:
        if ch in DIGITS[1:]:
            if digit is not None:
                return None
            digit = _DIGIT_VALUES[ch]
        elif ch in _SMALL_VALUES:
            unit = _SMALL_VALUES[ch]
            if unit >= last_small:
                return None
            section, digit, last_small = section + (digit or 1) * unit, None, unit
        elif ch in _BIG_VALUES:
            unit = _BIG_VALUES[ch]
            if unit >= last_big:
                return None
            section += digit or 0
            total += (section or 1) * unit
            section, digit, last_small, last_big = 0, None, 10**5, unit
        else:
            return None
    return total + section + (digit or 0) if text else None


def parse_digit_string(text: str) -> str | None:
    """Digits read one by one ("공일공" -> "010"), else None."""
    if not text or any(ch not in _DIGIT_VALUES for ch in text):
        return None
    return "".join(str(_DIGIT_VALUES[ch]) for ch in text)


_NATIVE_ONES = {"하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "넷": 4, "네": 4,
                "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9}  # fmt: skip
_NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60,
                "일흔": 70, "여든": 80, "아흔": 90}  # fmt: skip
_ATTRIBUTIVE = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_TENS_WORDS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def parse_native(text: str) -> int | None:
    """The value of a native Korean numeral ("일곱" -> 7, "스물다섯" -> 25), else None."""
    for tens_word, tens in _NATIVE_TENS.items():
        if text.startswith(tens_word):
            rest = text[len(tens_word) :]
            if rest == "":
                return tens
            if tens_word != "스무" and rest in _NATIVE_ONES:
                return tens + _NATIVE_ONES[rest]
    return _NATIVE_ONES.get(text)


def native_korean(value: int) -> str | None:
    """The native reading before a counter (7 -> "일곱", 20 -> "스무"); None from 100."""
    if not 1 <= value <= 99:
        return None
    tens, ones = divmod(value, 10)
    if value == 20:
        return "스무"
    return _TENS_WORDS[tens] + _ATTRIBUTIVE[ones]


def read_digits(digits: str) -> str:
    """Digits read one by one, 0 as 공 ("010" -> "공일공"), as phone numbers are read."""
    return "".join("공" if d == "0" else DIGITS[int(d)] for d in digits)
