"""Arabic numerals read as Sino-Korean numerals, for the Korean scoring normaliser.

Whisper writes numbers as digits ("2009년", "3월 15일"); Korean references are often written
as read ("이천구년", "삼월 십오일"). Reading digits the Sino-Korean way on both sides makes
those agree. Native counters ("다섯 개" against "5개") still differ: choosing between Sino and
native readings depends on the counter word and is not attempted.

Readings: 1 is silent before 십/백/천 and before 만 when it stands alone (10000 -> 만,
16000 -> 만육천); 0 -> 영; a decimal point -> 점 with the digits after it read one by one
(24.2 -> 이십사점이).
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
