"""LocalAgreement: text of an open turn that two consecutive decoding passes agree on.

Each pass re-decodes the whole open turn. A word is *confirmed* once two consecutive passes
both put it at the same place after the words already confirmed; confirmed words are sent as
deltas and never taken back. Words are whitespace tokens (a Korean eojeol is whole Hangul
syllables), compared without case and punctuation, and a token holding U+FFFD (a character
the decoder split) is never confirmed, so a delta never carries half a syllable.
"""

from __future__ import annotations

import unicodedata

_REPLACEMENT = "\ufffd"


def words(text: str) -> list[str]:
    return text.split()


def _key(word: str) -> str:
    kept = "".join(c for c in word if not unicodedata.category(c).startswith("P"))
    return kept.casefold()


def _after(prefix: list[str], hypothesis: list[str]) -> list[str] | None:
    """The hypothesis past the confirmed prefix, or None when it does not start with it."""
    if len(hypothesis) < len(prefix):
        return None
    for mine, theirs in zip(prefix, hypothesis, strict=False):
        if _key(mine) != _key(theirs):
            return None
    return hypothesis[len(prefix) :]


def _after_aligned(prefix: list[str], hypothesis: list[str]) -> list[str]:
    """The hypothesis past where the prefix ends in it, by a word alignment of the two."""
    import difflib

    matcher = difflib.SequenceMatcher(
        None, [_key(w) for w in prefix], [_key(w) for w in hypothesis], autojunk=False
    )
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return hypothesis[len(prefix) :]
    last = blocks[-1]
    unmatched_tail = len(prefix) - (last.a + last.size)
    return hypothesis[min(len(hypothesis), last.b + last.size + unmatched_tail) :]


class LocalAgreement:
    """Confirmed words of one turn, grown pass by pass."""

    def __init__(self) -> None:
        self.confirmed: list[str] = []
        self._previous: list[str] | None = None

    @property
    def text(self) -> str:
        return " ".join(self.confirmed)

    def update(self, hypothesis: str) -> str:
        """Take one pass's text; return the newly confirmed delta ("" when none)."""
        current = _after(self.confirmed, words(hypothesis))
        previous = self._previous
        self._previous = current
        if current is None or previous is None:
            return ""
        agreed: list[str] = []
        for mine, theirs in zip(previous, current, strict=False):
            if _key(mine) != _key(theirs) or _REPLACEMENT in theirs:
                break
            agreed.append(theirs)
        if not agreed:
            return ""
        return self._confirm(agreed)

    def finish(self, final: str) -> str:
        """The rest of the final text as one last delta.

        When the final reads an already sent word differently ("5개" sent, "다섯 개" final),
        the sent words are aligned with the final's and the delta starts after the last of
        them, so the deltas still carry the whole turn.
        """
        hypothesis = words(final)
        rest = _after(self.confirmed, hypothesis)
        if rest is None:
            rest = _after_aligned(self.confirmed, hypothesis)
        if not rest:
            return ""
        return self._confirm(rest)

    def _confirm(self, new: list[str]) -> str:
        delta = " ".join(new)
        if self.confirmed:
            delta = " " + delta
        self.confirmed.extend(new)
        self._previous = (self._previous or [])[len(new) :] if self._previous else None
        return delta
