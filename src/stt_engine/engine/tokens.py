"""Whisper's timestamp tokens turned into timed pieces of text, for any Whisper backend.

A decoded chunk reads ``<|0.00|> text <|2.40|><|2.40|> more text <|5.10|>``: each run of text
tokens is one segment, timed by the timestamp tokens around it. Text after the last timestamp
(the model stopped mid-segment) ends at the chunk's end, so nothing decoded is dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

TIME_PRECISION = 0.02  # seconds per timestamp token step


@dataclass(frozen=True, slots=True)
class Piece:
    start: float
    end: float
    tokens: tuple[int, ...]


def split_by_timestamps(
    tokens: Sequence[int], timestamp_begin: int, eot: int, seconds: float
) -> list[Piece]:
    """Text tokens grouped into timed pieces, times clamped to ``[0, seconds]``."""
    pieces: list[Piece] = []
    text: list[int] = []
    start = 0.0
    last_time = 0.0
    for token in tokens:
        if token == eot:
            break
        if token >= timestamp_begin:
            time = min((token - timestamp_begin) * TIME_PRECISION, seconds)
            if text:
                pieces.append(Piece(start, max(time, start), tuple(text)))
                text = []
            start = last_time = time
            continue
        text.append(token)
    if text:
        pieces.append(Piece(start, max(seconds, last_time, start), tuple(text)))
    return pieces


def compression_ratio(text: str) -> float:
    """The gzip-style compression ratio of the text, Whisper's repetition measure."""
    data = text.strip().encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))
