"""English numbers both ways: spelled numbers to digits (the scoring normaliser and
``numbers=digits``) and digits to words (``numbers=spoken``).

Words -> digits is the one direction used on both sides: "twenty one" -> "21",
"nineteen hundred" -> "1900", "a hundred and five" -> "105", "two thousand and nine" -> "2009",
"twenty first" -> "21st". Runs of single digits stay separate numbers ("one two" -> "1 2").
Decimals ("point") and plurals ("hundreds") are left as words.
"""

from __future__ import annotations

from dataclasses import dataclass

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

CARDINALS: dict[str, int] = {w: i for i, w in enumerate(_ONES)}
CARDINALS.update({w: 10 + i for i, w in enumerate(_TEENS)})
CARDINALS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                  "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth")  # fmt: skip
ORDINALS: dict[str, int] = {w: i + 1 for i, w in enumerate(_ORDINAL_WORDS)}
ORDINALS.update({w[:-1] + "ieth": v for w, v in zip(_TENS, range(20, 100, 10), strict=True)})
ORDINALS.update({"hundredth": 100, "thousandth": 1_000, "millionth": 1_000_000})


def ordinal_suffix(value: int) -> str:
    if 11 <= value % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")


def _kind(value: int) -> str:
    return "small" if value < 20 else "tens"


@dataclass
class _Number:
    """A number being read: groups already multiplied by a scale, plus the current group."""

    total: int = 0
    current: int = 0
    last: str = ""  # "small" (0-19), "tens", "hundred", "scale", "" when nothing read

    @property
    def active(self) -> bool:
        return self.last != ""

    def value(self) -> int:
        return self.total + self.current

    def accepts(self, word: str) -> bool:
        """Whether the word continues this number (a cardinal after tens, a scale, ...)."""
        if word in CARDINALS or word in ORDINALS:
            value = CARDINALS.get(word, ORDINALS.get(word, 0))
            if value >= 100:
                return self.active
            if not self.active:
                return True
            return self.last in ("hundred", "scale") or (self.last == "tens" and value < 10)
        return word in ("hundred", *SCALES) and self.active and self.last != "scale"

    def add(self, word: str) -> None:
        if word == "hundred" or word in ("hundredth",):
            self.current = max(self.current, 1) * 100
            self.last = "hundred"
        elif word in SCALES or word in ("thousandth", "millionth"):
            scale = SCALES.get(word, ORDINALS.get(word, 1))
            self.total += max(self.current, 1) * scale
            self.current = 0
            self.last = "scale"
        else:
            value = CARDINALS.get(word, ORDINALS.get(word, 0))
            self.current += value
            self.last = _kind(value)


def number_spans(words: list[str]) -> list[tuple[int, int, str]]:
    """(first word, one past the last, digits) for every spelled number in the words."""
    spans: list[tuple[int, int, str]] = []
    number, start = _Number(), 0

    def flush(end: int) -> None:
        nonlocal number
        if number.active:
            spans.append((start, end, str(number.value())))
        number = _Number()

    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "a" and not number.active and following in ("hundred", *SCALES):
            number.current, number.last, start = 1, "small", index
            continue
        if word == "and" and number.last in ("hundred", "scale") and following in CARDINALS:
            continue
        if not number.accepts(word):
            flush(index)
            if not number.accepts(word):
                continue
        if not number.active:
            start = index
        number.add(word)
        if word in ORDINALS:
            value = number.value()
            spans.append((start, index + 1, f"{value}{ordinal_suffix(value)}"))
            number = _Number()
    flush(len(words))
    return spans


def words_to_digits(words: list[str]) -> list[str]:
    """The words with every spelled number replaced by its digits."""
    out: list[str] = []
    index = 0
    for start, end, digits in number_spans(words):
        out.extend(words[index:start])
        out.append(digits)
        index = end
    out.extend(words[index:])
    return out


def spoken_english(value: int) -> str:
    """A non-negative integer in words (2026 -> "two thousand twenty-six")."""
    if value < 20:
        return (_ONES + _TEENS)[value] if value < 10 else _TEENS[value - 10]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {spoken_english(rest)}" if rest else "")
    for name, scale in sorted(SCALES.items(), key=lambda item: -item[1]):
        if value >= scale:
            count, rest = divmod(value, scale)
            head = f"{spoken_english(count)} {name}"
            return head + (f" {spoken_english(rest)}" if rest else "")
    raise AssertionError("unreachable")
