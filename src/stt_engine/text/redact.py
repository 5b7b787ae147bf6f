"""Masking of personal data in transcripts (``redact=phone,rrn,card,account,email,name``).

Kinds, each found on a segment's tokens:

``rrn``      Korean resident registration numbers (YYMMDD-GNNNNNN) with a valid date and
             the check digit (weights 2..9,2..5, (11 - sum mod 11) mod 10).
``card``     Card numbers of 13 to 19 digits, grouped or not, that pass the Luhn check.
``phone``    Korean mobile, landline, 070 and 15xx numbers, +82 forms, North American
             numbers (grouped or as ten plain digits), and the same read one by one
             in Hangul ("공일공 일이삼사 오육칠팔").
``account``  Bank account numbers: 10 to 14 digits in hyphenated groups, or plain after a
             word that names an account (계좌, 계좌번호, account).
``email``    E-mail addresses.
``name``     A name before a title ("김민수 고객님" -> "[이름] 고객님", "Mr. Smith");
             only when asked, never in ``all``.

A match becomes a placeholder per kind (``[전화번호]``; ``[PHONE]`` in an English
transcript) or ``***``; its kind is counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from stt_engine.errors import InvalidRequestError
from stt_engine.text.edits import Edit, Rule, scan
from stt_engine.text.itn_ko import digit_run
from stt_engine.text.pii_names import name_before_title

KINDS = ("phone", "rrn", "card", "account", "email", "name")
ALL_KINDS = ("phone", "rrn", "card", "account", "email")
PLACEHOLDERS = {
    "phone": "[전화번호]",
    "rrn": "[주민등록번호]",
    "card": "[카드번호]",
    "account": "[계좌번호]",
    "email": "[이메일]",
    "name": "[이름]",
}
ENGLISH_PLACEHOLDERS = {
    "phone": "[PHONE]",
    "rrn": "[RRN]",
    "card": "[CARD]",
    "account": "[ACCOUNT]",
    "email": "[EMAIL]",
    "name": "[NAME]",
}
_PHONE = re.compile(
    r"(?:\+82[- ]?(?:0?1[016789]|0?[2-6]\d?)|01[016789]|02|0[3-6][1-5]|070|050\d)"
    r"[- .]?\d{3,4}[- .]?\d{4}"
    r"|1[5-9]\d{2}-\d{4}"
    r"|\(?[2-9]\d{2}\)?[- .]?\d{3}[- .]?\d{4}"
)
_RRN = re.compile(r"(\d{2})(\d{2})(\d{2})[- ]?([1-8]\d{6})")
_CARD = re.compile(r"\d{4}(?:[- ]?\d{4}){2}[- ]?\d{1,7}")
_ACCOUNT = re.compile(r"\d{2,6}(?:-\d{2,7}){1,3}")
_PLAIN_ACCOUNT = re.compile(r"\d{10,14}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_RRN_SHAPE = re.compile(r"\d{6}-\d{7}")  # never a bank's grouping: a bad-checksum RRN stays
_ACCOUNT_WORDS = ("계좌", "계좌번호", "account", "입금", "통장")


@dataclass(frozen=True, slots=True)
class Masking:
    kinds: frozenset[str]
    stars: bool = False  # "***" instead of the kind's placeholder
    english: bool = False  # English placeholders ([PHONE]) for an English transcript

    def placeholder(self, kind: str) -> str:
        if self.stars:
            return "***"
        return (ENGLISH_PLACEHOLDERS if self.english else PLACEHOLDERS)[kind]


NO_MASKING = Masking(frozenset())


def parse_kinds(text: str | None) -> frozenset[str]:
    """Kinds from "phone,email" ("all": every kind but name; "none" or empty: nothing)."""
    kinds: set[str] = set()
    for part in (text or "").replace(" ", ",").split(","):
        name = part.strip().lower()
        if name in ("", "none"):
            continue
        if name == "all":
            kinds.update(ALL_KINDS)
        elif name in KINDS:
            kinds.add(name)
        else:
            raise InvalidRequestError(
                f"unknown redact kind '{part.strip()}': use {', '.join(KINDS)}, all or none",
                param="redact",
            )
    return frozenset(kinds)


def canonical_kinds(text: str) -> str:
    """The kinds asked for, checked and sorted ("email,phone"); "none" for nothing."""
    kinds = parse_kinds(text)
    return ",".join(sorted(kinds)) if kinds else "none"


def rrn_valid(digits: str) -> bool:
    """A 13-digit resident registration number with a real date and a matching check digit."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    total = sum(int(d) * w for d, w in zip(digits[:12], weights, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def luhn_valid(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _match_kind(text: str, kinds: frozenset[str], before: Sequence[str]) -> str | None:
    """The kind of a whole number-like text, in order of how specific the check is."""
    digits = _digits(text)
    if "rrn" in kinds and _RRN.fullmatch(text) and rrn_valid(digits):
        return "rrn"
    if "card" in kinds and _CARD.fullmatch(text) and luhn_valid(digits):
        return "card"
    if "phone" in kinds and _PHONE.fullmatch(text):
        return "phone"
    if "account" in kinds and 10 <= len(digits) <= 14:
        if _ACCOUNT.fullmatch(text) and not _RRN_SHAPE.fullmatch(text):
            return "account"
        named = any(word.lower().startswith(_ACCOUNT_WORDS) for word in before)
        if _PLAIN_ACCOUNT.fullmatch(text) and named:
            return "account"
    return None


def _number_rule(masking: Masking) -> Rule:
    def rule(tokens: Sequence[str], index: int) -> Edit | None:
        before = tokens[max(0, index - 3) : index]
        for width in (4, 3, 2, 1):
            window = tokens[index : index + width]
            if len(window) < width or window[0][:1] not in "+(0123456789":
                continue
            core, tail = _split_tail(" ".join(window))
            kind = _match_kind(core, masking.kinds, before)
            if kind is not None:
                return Edit(index, index + width, masking.placeholder(kind) + tail, kind)
        return _spoken_phone(tokens, index, masking)

    return rule


def _split_tail(text: str) -> tuple[str, str]:
    """(the number-like head, what follows it: a particle, punctuation)."""
    match = re.match(r"^([+(]?[\d][\d\-. )]*\d)(.*)$", text)
    if match is None or " " in match.group(2).strip():
        return text, ""
    return match.group(1), match.group(2)


def _spoken_phone(tokens: Sequence[str], index: int, masking: Masking) -> Edit | None:
    """A phone number read one digit at a time in Hangul, over two to four tokens."""
    if "phone" not in masking.kinds:
        return None
    found = digit_run(tokens, index)
    if found is None:
        return None
    head, tail = _split_tail(found.text)
    if _PHONE.fullmatch(head) is None:
        return None
    return Edit(found.start, found.end, masking.placeholder("phone") + tail, "phone")


def _email_rule(masking: Masking) -> Rule:
    def rule(tokens: Sequence[str], index: int) -> Edit | None:
        token = tokens[index]
        if "@" not in token or _EMAIL.search(token) is None:
            return None
        return Edit(index, index + 1, _EMAIL.sub(masking.placeholder("email"), token), "email")

    return rule


def find(tokens: Sequence[str], masking: Masking) -> list[Edit]:
    """Edits that mask every kind asked for."""
    if not masking.kinds:
        return []
    rules: list[Rule] = []
    if "email" in masking.kinds:
        rules.append(_email_rule(masking))
    if masking.kinds & {"phone", "rrn", "card", "account"}:
        rules.append(_number_rule(masking))
    if "name" in masking.kinds:
        rules.append(lambda t, i: name_before_title(t, i, masking.placeholder("name")))
    return scan(tokens, rules)
