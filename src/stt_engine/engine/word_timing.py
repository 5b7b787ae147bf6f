"""From a chunk's token-to-frame alignment to timed words in its segments.

An aligner (cross-attention + DTW, ``torch_align.py``) gives the frame each text token was
heard in. Here the tokens are grouped into words, each word starts at the frame of its first
token and ends at the next word's, and Whisper's usual clean-ups follow: punctuation joins
its word, a word at a sentence end or right after a pause is kept under twice the median
word length, and each segment's bounds and its first and last words are fitted to each
other. Numpy only; the rules are the ones faster-whisper applies for the CTranslate2
backend, so both backends time words alike. Each chunk is timed on its own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stt_engine.engine import decoded as dec

TOKENS_PER_SECOND = dec.FRAMES_PER_SECOND // 2  # one alignment frame per encoder position
SENTENCE_ENDS = ".。!！?？"
_LONGEST_MEDIAN = 0.7  # seconds: the median word length used for the clamps, at most


@dataclass(frozen=True)
class Alignment:
    """One chunk's (token, frame) path and the probability of each of its text tokens."""

    path: list[tuple[int, int]] = field(default_factory=list)
    token_probs: list[float] = field(default_factory=list)


@dataclass
class TimedWord:
    word: str
    tokens: list[int]
    start: float
    end: float
    probability: float


def text_tokens(subsegments: list[dict[str, Any]], eot: int) -> list[int]:
    """The text tokens of a chunk's segments, in order (what the aligner aligns)."""
    return [t for sub in subsegments for t in sub["tokens"] if t < eot]


def add_words(subsegments: list[dict[str, Any]], tokenizer: Any, alignment: Alignment) -> None:
    """Set ``words`` on each of a chunk's segments (and fit the segment bounds to them)."""
    timed = _timed_words(tokenizer, text_tokens(subsegments, tokenizer.eot), alignment)
    median = _median_length(timed)
    _clamp_sentence_ends(timed, median * 2)
    merge_punctuations(timed, dec.PREPEND_PUNCTUATIONS, dec.APPEND_PUNCTUATIONS)
    _place(subsegments, tokenizer.eot, timed, median)


def _timed_words(tokenizer: Any, tokens: list[int], alignment: Alignment) -> list[TimedWord]:
    words, groups = tokenizer.split_to_word_tokens([*tokens, tokenizer.eot])
    if len(groups) <= 1 or not alignment.path:
        return []
    bounds = np.concatenate([[0], np.cumsum([len(g) for g in groups[:-1]])])
    token_index, frame = (np.array(column) for column in zip(*alignment.path, strict=True))
    first_of_token = np.diff(token_index, prepend=token_index[0] - 1).astype(bool)
    times = frame[first_of_token] / TOKENS_PER_SECOND  # when each token is first heard
    probs = alignment.token_probs
    return [
        TimedWord(words[k], groups[k], times[i], times[j], float(np.mean(probs[i:j])))
        for k, (i, j) in enumerate(itertools.pairwise(bounds))
    ]


def _median_length(timed: list[TimedWord]) -> float:
    lengths = [w.end - w.start for w in timed if w.end != w.start]
    return min(_LONGEST_MEDIAN, float(np.median(lengths))) if lengths else 0.0


def _clamp_sentence_ends(timed: list[TimedWord], longest: float) -> None:
    """A sentence's last mark, or the word after it, no longer than ``longest``."""
    if not any(w.end != w.start for w in timed):
        return
    for before, word in itertools.pairwise(timed):
        if word.end - word.start <= longest:
            continue
        if word.word in SENTENCE_ENDS:
            word.end = word.start + longest
        elif before.word in SENTENCE_ENDS:
            word.start = word.end - longest


def merge_punctuations(timed: list[TimedWord], prepended: str, appended: str) -> None:
    """Opening marks join the word after them, closing marks the word before them; the mark
    itself is left empty (and later dropped)."""
    following = len(timed) - 1
    for index in range(len(timed) - 2, -1, -1):
        mark = timed[index]
        if mark.word.startswith(" ") and mark.word.strip() in prepended:
            _join(timed[following], mark, before=True)
        else:
            following = index
    previous = 0
    for index in range(1, len(timed)):
        mark = timed[index]
        if not timed[previous].word.endswith(" ") and mark.word in appended:
            _join(timed[previous], mark, before=False)
        else:
            previous = index


def _join(word: TimedWord, mark: TimedWord, before: bool) -> None:
    if before:
        word.word, word.tokens = mark.word + word.word, mark.tokens + word.tokens
    else:
        word.word, word.tokens = word.word + mark.word, word.tokens + mark.tokens
    mark.word, mark.tokens = "", []


def _place(
    subsegments: list[dict[str, Any]], eot: int, timed: list[TimedWord], median: float
) -> None:
    """Hand each segment the words of its tokens; fit the first and last to its bounds."""
    last_speech = 0.0
    index = 0
    for sub in subsegments:
        wanted = len([t for t in sub["tokens"] if t < eot])
        taken = 0
        words: list[dict[str, Any]] = []
        while index < len(timed) and taken < wanted:
            word = timed[index]
            if word.word:
                words.append(_as_dict(word))
            taken += len(word.tokens)
            index += 1
        if words:
            _shorten_after_pause(words, last_speech, median)
            _fit(sub, words, median)
            last_speech = sub["end"]
        sub["words"] = words


def _as_dict(word: TimedWord) -> dict[str, Any]:
    start, end = round(float(word.start), 2), round(float(word.end), 2)
    return {"word": word.word, "start": start, "end": end, "probability": word.probability}


def _shorten_after_pause(words: list[dict[str, Any]], last_speech: float, median: float) -> None:
    """The first word after a long pause (or the first two) kept under twice the median."""
    longest = median * 2
    first = words[0]
    second = words[1] if len(words) > 1 else None
    too_long = first["end"] - first["start"] > longest or (
        second is not None and second["end"] - first["start"] > longest * 2
    )
    if not (first["end"] - last_speech > median * 4 and too_long):
        return
    if second is not None and second["end"] - second["start"] > longest:
        boundary = max(second["end"] / 2, second["end"] - longest)
        first["end"] = second["start"] = boundary
    first["start"] = max(0, first["end"] - longest)


def _fit(sub: dict[str, Any], words: list[dict[str, Any]], median: float) -> None:
    """Prefer the segment's bounds over a first or last word that runs half a second past
    them; otherwise the segment takes its words' bounds."""
    first, last = words[0], words[-1]
    if sub["start"] < first["end"] and sub["start"] - 0.5 > first["start"]:
        first["start"] = max(0, min(first["end"] - median, sub["start"]))
    else:
        sub["start"] = first["start"]
    if sub["end"] > last["start"] and sub["end"] + 0.5 < last["end"]:
        last["end"] = max(last["start"] + median, sub["end"])
    else:
        sub["end"] = last["end"]
