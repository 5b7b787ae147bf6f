"""Whisper's timestamp tokens turned into timed pieces of text, for any Whisper backend.

A decoded chunk reads ``<|0.00|> text <|2.40|><|2.40|> more text <|5.10|>``: each run of text
tokens is one segment, timed by the timestamp tokens around it. Text after the last timestamp
(the model stopped mid-segment) ends at the chunk's end, so nothing decoded is dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

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


@cache
def _byte_of_character() -> dict[str, int]:
    """Byte-level BPE's printable stand-in for each byte (GPT-2's table, which Whisper's
    tokenizer uses): printable Latin-1 bytes stand for themselves, the others are shifted
    past 255."""
    kept = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    table = {chr(b): b for b in kept}
    shifted = 0
    for byte in range(256):
        if byte not in kept:
            table[chr(256 + shifted)] = byte
            shifted += 1
    return table


def token_bytes(tokenizer: Any, token: int) -> tuple[int, ...]:
    """The raw UTF-8 bytes of one token of a byte-level ``tokenizers`` tokenizer."""
    piece = tokenizer.id_to_token(token) or ""
    table = _byte_of_character()
    if not all(ch in table for ch in piece):  # a special token: its text as written
        return tuple(piece.encode("utf-8"))
    return tuple(table[ch] for ch in piece)
