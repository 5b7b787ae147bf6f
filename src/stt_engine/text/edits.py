"""Rewrites of a text as edits over its whitespace-separated tokens.

Every post-processing stage (vocabulary fixes, number formatting, masking) looks at the
tokens of a segment and proposes ``Edit``s: tokens ``start`` to ``end`` (exclusive) become
``text``. Because a segment's timed words are its tokens, the same edits apply to the words:
a replacement spanning several words becomes one word with the span of its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from stt_engine.transcript import Word


@dataclass(frozen=True, slots=True)
class Edit:
    start: int  # first token replaced
    end: int  # one past the last token replaced
    text: str  # the replacement; may hold spaces
    kind: str = ""  # what was found (a PII kind for masking), for counting


Rule = Callable[[Sequence[str], int], "Edit | None"]


def scan(tokens: Sequence[str], rules: Sequence[Rule]) -> list[Edit]:
    """Edits found left to right: at each token the first rule that matches wins."""
    edits: list[Edit] = []
    index = 0
    while index < len(tokens):
        found = next((e for rule in rules if (e := rule(tokens, index)) is not None), None)
        if found is None or found.end <= index:
            index += 1
            continue
        edits.append(found)
        index = found.end
    return edits


def apply_tokens(tokens: Sequence[str], edits: Sequence[Edit]) -> list[str]:
    """The tokens with the edits made (edits in order, not overlapping)."""
    out: list[str] = []
    index = 0
    for edit in edits:
        out.extend(tokens[index : edit.start])
        out.append(edit.text)
        index = edit.end
    out.extend(tokens[index:])
    return [token for token in out if token]


def rewrite_text(text: str, find: Callable[[Sequence[str]], list[Edit]]) -> tuple[str, list[Edit]]:
    """The text rewritten by the edits ``find`` proposes; a leading space is kept."""
    tokens = text.split()
    edits = find(tokens)
    if not edits:
        return text, edits
    lead = " " if text[:1].isspace() else ""
    return lead + " ".join(apply_tokens(tokens, edits)), edits


def rewrite_words(
    words: Sequence[Word], find: Callable[[Sequence[str]], list[Edit]]
) -> tuple[Word, ...]:
    """Timed words rewritten: a replacement of several words spans from the first to the last."""
    tokens = [word.word.strip() for word in words]
    edits = find(tokens)
    if not edits:
        return tuple(words)
    out: list[Word] = []
    index = 0
    for edit in edits:
        out.extend(words[index : edit.start])
        first, last = words[edit.start], words[edit.end - 1]
        lead = " " if first.word[:1].isspace() else ""
        parts = words[edit.start : edit.end]
        probability = min(w.probability for w in parts)
        out.append(replace(first, word=lead + edit.text, end=last.end, probability=probability))
        index = edit.end
    out.extend(words[index:])
    return tuple(w for w in out if w.word.strip())
