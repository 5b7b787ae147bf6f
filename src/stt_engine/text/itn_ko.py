"""Korean numbers written as a Korean writer writes them (``numbers=digits``).

Whisper spells numbers in Hangul as often as in digits. A numeral becomes digits when a
counter follows it ("이천이십육 년" -> "2026년", "삼십 분" -> "30분", "일곱 시" -> "7시"),
when it is long enough to be nothing else ("이천이십육" -> "2026"), or when digits read one
by one form a phone-like run ("공일공 일이삼사 오육칠팔" -> "010-1234-5678"). Money keeps its
big unit when round ("오만 원" -> "5만 원", "오만 삼천 원" -> "53,000원").

What stays as spoken: native numbers without a counter ("하나도", "셋이서"), small native
counts ("한 번", "두 개", "세 명": written in Hangul by Korean style guides; hours, durations
and ages become digits from one, other native counts from ten), single-syllable Sino
numerals glued to a word ("이번", "사원", "구분") and the demonstrative "이" before a counter
it commonly modifies ("이 분", "이 번").
"""

from __future__ import annotations

from collections.abc import Sequence

from stt_engine.text.edits import Edit
from stt_engine.text.numbers_ko import (
    NUMBER_SYLLABLES,
    parse_digit_string,
    parse_native,
    parse_sino,
)

SINO_COUNTERS = ("킬로미터", "센티미터", "킬로그램", "퍼센트", "개월", "주년", "학년",
                 "호선", "번지", "년도", "년대", "시간", "인분", "페이지", "달러", "유로",
                 "미터", "센티", "킬로", "그램", "프로", "리터", "이닝", "도", "년", "월",
                 "일", "분", "초", "원", "층", "호", "번", "세", "회", "차", "등", "위",
                 "주", "엔", "명", "개", "대", "권", "장", "쪽", "점")  # fmt: skip
NATIVE_COUNTERS = ("시간", "마리", "사람", "가지", "군데", "시", "살", "개", "명",
                   "잔", "병", "권", "대", "번", "달", "장", "벌")  # fmt: skip
_NATIVE_FROM_ONE = frozenset({"시", "시간", "살"})
_MONEY = frozenset({"원", "달러", "유로", "엔"})
_NO_COMMA = frozenset({"년", "년도", "년대", "번", "호", "층", "호선", "번지", "학년", "회", "차"})
# "구월", "삼일", "일층", "팔번": a lone syllable glued to these is safe, but for a few words
_GLUED_SINGLE = frozenset({"년", "월", "일", "호선", "층", "번"})
_GLUED_WORDS = frozenset({"오일", "이번"})  # oil, not the fifth; this time, not number two
_DEMONSTRATIVE_OK = frozenset({"년", "월", "일", "층", "초", "퍼센트", "개월", "주년"})
PARTICLES = ("", "에", "에는", "에도", "의", "은", "는", "이", "가", "을", "를", "도", "만",
             "부터", "까지", "에서", "쯤", "정도", "째", "씩", "로", "으로", "과", "와", "이나",
             "나", "이면", "이고", "이에요", "예요", "이야", "입니다", "이다", "인데", "짜리",
             "간", "동안", "이상", "이하", "전", "후", "말", "경", "밖에", "마다", "만에",
             "이요", "요", "이라", "라고", "이라고", "입니까", "인가요", "입니다만", "쯤에",
             "쯤에는", "이라서", "이니까", "인데요", "이잖아요", "이래요", "이었어요",
             "였어요", "이던", "이면요", "씩이나", "간의", "만의")  # fmt: skip
_PHONE_TAILS = ("번입니다", "번이에요", "입니다", "이에요", "번이요", "으로", "이고", "예요",
                "이요", "번", "로", "요", "고", "에", "와", "과", "를", "은")  # fmt: skip
_PUNCTUATION = ".,?!;:…"


def split_punctuation(token: str) -> tuple[str, str]:
    """(the token without trailing punctuation, the punctuation)."""
    core = token.rstrip(_PUNCTUATION)
    return core, token[len(core) :]


def _counter_tail(text: str, counters: Sequence[str]) -> tuple[str, str] | None:
    """(counter, particle) when the text is a counter followed by a particle."""
    for counter in counters:
        if text.startswith(counter) and text[len(counter) :] in PARTICLES:
            return counter, text[len(counter) :]
    return None


def format_korean(value: int, counter: str) -> str:
    """Digits with the counter glued, money keeping its big unit when round."""
    if counter in _MONEY and value >= 10_000 and value % 10_000 == 0:
        man, rest = divmod(value // 10_000, 10_000)
        head = f"{man:,}억 " if man and rest == 0 else ""
        if man and rest:
            head = f"{man:,}억 {rest:,}만 "
        elif not man:
            head = f"{rest:,}만 "
        return f"{head}{counter}"
    digits = str(value) if counter in _NO_COMMA else f"{value:,}"
    return digits + counter


def _sino_allowed(numeral: str, counter: str, glued: bool) -> bool:
    if len(numeral) > 1 or numeral in "십백천":  # a unit alone is no ordinary word: 십분, 백미터
        return True
    if glued:
        return counter in _GLUED_SINGLE and numeral + counter not in _GLUED_WORDS
    return numeral != "이" or counter in _DEMONSTRATIVE_OK


def sino_with_counter(tokens: Sequence[str], index: int) -> Edit | None:
    """A Sino numeral over one or two tokens, then a counter glued or in the next token."""
    for width in (2, 1):
        numeral_tokens = tokens[index : index + width]
        if len(numeral_tokens) < width:
            continue
        if width == 2 and not _leads_a_sum(numeral_tokens[0]):
            continue
        numeral = "".join(numeral_tokens)
        last, punct = split_punctuation(numeral_tokens[-1])
        found = _glued_counter(numeral[: len(numeral) - len(numeral_tokens[-1])] + last)
        if found is not None:
            head, amount, counter, particle = found
            if _sino_allowed(head, counter, glued=True):
                text = format_korean(amount, counter) + particle + punct
                return Edit(index, index + width, text)
        value = parse_sino(numeral)
        following = tokens[index + width] if index + width < len(tokens) else ""
        core, punct = split_punctuation(following)
        tail = _counter_tail(core, [c for c in SINO_COUNTERS if c != "시"])
        if value is not None and tail is not None and _sino_allowed(numeral, tail[0], False):
            text = format_korean(value, tail[0]) + tail[1] + punct
            return Edit(index, index + width + 1, text)
    return None


def _leads_a_sum(token: str) -> bool:
    """Whether a token can be the first part of a spaced numeral ("오만 삼천", not "만 이십")."""
    return len(token) >= 2 and token[-1] in "만억조" and parse_sino(token) is not None


def _glued_counter(token: str) -> tuple[str, int, str, str] | None:
    """(numeral, value, counter, particle) for a token such as "이천이십육년에"."""
    for cut in range(len(token) - 1, 0, -1):
        head = token[:cut]
        if not all(ch in NUMBER_SYLLABLES for ch in head):
            continue
        value = parse_sino(head)
        tail = _counter_tail(token[cut:], SINO_COUNTERS)
        if value is not None and tail is not None:
            return head, value, tail[0], tail[1]
    return None


def native_with_counter(tokens: Sequence[str], index: int) -> Edit | None:
    """A native numeral with a counter: hours, durations, ages from one, other counts from 10."""
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    value = parse_native(token)
    if value is not None and following:
        core, punct = split_punctuation(following)
        tail = _counter_tail(core, NATIVE_COUNTERS)
        if tail is not None and _native_allowed(value, tail[0]):
            return Edit(index, index + 2, format_korean(value, tail[0]) + tail[1] + punct)
    core, punct = split_punctuation(token)
    for cut in range(len(core) - 1, 1, -1):
        glued = parse_native(core[:cut])
        tail = _counter_tail(core[cut:], NATIVE_COUNTERS)
        if glued is not None and tail is not None and _native_allowed(glued, tail[0]):
            return Edit(index, index + 1, format_korean(glued, tail[0]) + tail[1] + punct)
    return None


def _native_allowed(value: int, counter: str) -> bool:
    return counter in _NATIVE_FROM_ONE or value >= 10


def long_numeral(tokens: Sequence[str], index: int) -> Edit | None:
    """A numeral of three or more syllables with a unit, standing alone ("이천이십육")."""
    core, punct = split_punctuation(tokens[index])
    for cut in range(len(core), 2, -1):
        head, particle = core[:cut], core[cut:]
        if particle not in PARTICLES or not any(ch in "십백천만억조" for ch in head):
            continue
        value = parse_sino(head)
        if value is not None:
            digits = f"{value:,}" if value >= 10_000 else str(value)
            return Edit(index, index + 1, digits + particle + punct)
    return None


def digit_run(tokens: Sequence[str], index: int) -> Edit | None:
    """Digits read one by one over two or more tokens, seven digits or more (phone-like)."""
    groups: list[str] = []
    tail = ""
    for token in tokens[index : index + 4]:
        core, punct = split_punctuation(token)
        digits, ending = _digits_and_tail(core)
        if digits is None or not 2 <= len(digits) <= 4:
            break
        groups.append(digits)
        if ending or punct:
            tail = ending + punct
            break
    if len(groups) < 2 or sum(len(g) for g in groups) < 7:
        return None
    return Edit(index, index + len(groups), "-".join(groups) + tail)


def _digits_and_tail(core: str) -> tuple[str | None, str]:
    digits = parse_digit_string(core)
    if digits is not None:
        return digits, ""
    for ending in _PHONE_TAILS:
        if core.endswith(ending) and (digits := parse_digit_string(core[: -len(ending)])):
            return digits, ending
    return None, ""


def decimal(tokens: Sequence[str], index: int) -> Edit | None:
    """A decimal read with 쩜 ("이십사쩜이이닝" -> "24.2이닝", "오쩜사칠의" -> "5.47의")."""
    whole, mark, rest = tokens[index].partition("쩜")
    value = parse_sino(whole) if mark else None
    if value is None:
        return None
    cuts = [c for c in range(len(rest), 0, -1) if parse_digit_string(rest[:c]) is not None]
    if not cuts:
        return None
    # the longest reading after which a particle or a counter follows, else the longest
    fits = [c for c in cuts if rest[c:] in PARTICLES or _counter_tail(rest[c:], SINO_COUNTERS)]
    cut = (fits or cuts)[0]
    return Edit(index, index + 1, f"{value}.{parse_digit_string(rest[:cut])}{rest[cut:]}")


def ordinal(tokens: Sequence[str], index: int) -> Edit | None:
    """제 before a numeral and its counter ("제일차" -> "제1차", "제삼 회" -> "제3회")."""
    core, punct = split_punctuation(tokens[index])
    if not core.startswith("제") or len(core) < 2:
        return None
    glued = _glued_counter(core[1:])
    if glued is not None:
        _, value, counter, particle = glued
        return Edit(index, index + 1, f"제{format_korean(value, counter)}{particle}{punct}")
    found = sino_with_counter([tokens[index][1:], *tokens[index + 1 : index + 2]], 0)
    return None if found is None else Edit(index, index + found.end, "제" + found.text)


KOREAN_RULES = (digit_run, decimal, ordinal, sino_with_counter, native_with_counter, long_numeral)
