"""``semantic_vad``: how long a silence ends a turn, from what was said so far.

OpenAI's semantic turn detection waits less after a finished sentence and longer after words
that promise more. Here the latest partial text of the open turn decides: a sentence that ends
(``.``, ``?``, ``!``, or a Korean final ending such as ``-요``, ``-다``, ``-까``) halves the
silence the eagerness asks for; a trailing conjunction, article, preposition or comma (``and``,
``the``, ``그리고``, ``-는데``, ``-고``, a case particle) doubles it; anything else keeps it.
"""

from __future__ import annotations

import re
from typing import Literal

Ending = Literal["finished", "open", "unknown"]

# the silence (ms) that ends a turn for each eagerness, before the text is read
EAGERNESS_SILENCE_MS = {"low": 1000, "medium": 600, "auto": 500, "high": 300}
_SHORTEST_MS = 200
_LONGEST_MS = 2500

_EN_OPEN = frozenset(
    (
        "and", "but", "or", "so", "because", "the", "a", "an", "to", "of", "with", "if",
        "that", "which", "my", "your", "our", "their", "for", "in", "on", "at", "from",
        "as", "than", "then", "um", "uh", "like",
    )
)  # fmt: skip
_KO_OPEN_WORDS = frozenset(
    (
        "그리고", "그런데", "근데", "그래서", "하지만", "그러나", "그러니까", "또는",
        "아니면", "그럼", "음", "어",
    )
)  # fmt: skip
_KO_OPEN_ENDINGS = (
    "는데", "은데", "인데", "지만", "면서", "니까", "어서", "아서", "해서", "려고",
    "으면", "하고", "에서", "한테", "에게", "으로",
    "고", "면", "며", "은", "는", "을", "를", "에", "의", "와", "과",
)  # fmt: skip
_KO_FINISHED = ("요", "다", "까", "죠", "니다", "네", "래", "냐", "군", "지")
_FINAL_MARKS = ".?!。？！"


def ending(text: str) -> Ending:
    """Whether the text so far reads as a finished sentence, one that goes on, or neither."""
    stripped = text.strip()
    if not stripped:
        return "unknown"
    if stripped.endswith(("...", "…", ",", "，", "-")):
        return "open"
    marked = stripped[-1] in _FINAL_MARKS
    words = re.findall(r"[\w']+", stripped.lower())
    if not words:
        return "finished" if marked else "unknown"
    last = words[-1]
    if marked:
        return "finished"
    if last in _EN_OPEN or last in _KO_OPEN_WORDS:
        return "open"
    if re.search(r"[가-힣]$", last):
        if last.endswith(_KO_FINISHED):
            return "finished"
        if len(last) > 1 and last.endswith(_KO_OPEN_ENDINGS):
            return "open"
    return "unknown"


def silence_ms(text: str, eagerness: str) -> int:
    """The silence that ends the turn after ``text``, for the session's eagerness."""
    base = EAGERNESS_SILENCE_MS[eagerness]
    kind = ending(text)
    if kind == "finished":
        return max(base // 2, _SHORTEST_MS)
    if kind == "open":
        return min(base * 2, _LONGEST_MS)
    return base
