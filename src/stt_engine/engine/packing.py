"""Packing: several short speech chunks decoded in one 30-second window.

Whisper's encoder always sees 30 s; for a 5-second chunk most of its work is padding. Chunks
with the same decode options (from any owners) can share one window instead: their audio is
laid end to end with a second of silence between, decoded once with timestamps, and each
segment goes back to the chunk it lies in. A segment that runs across two chunks cannot be
split by time, and a chunk that got no text may have lost it to its neighbours (or to the
model stopping early), so such a window is *unpacked*: its chunks are decoded alone. Packed
speech ends at 24 s, so the model never meets the end of its window mid-sentence.

Per chunk, the compression ratio comes from the chunk's own text; the average log-probability
is the window's; the no-speech probability (which the model gives for the start of the window
only) is the window's for the first chunk and 0 for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.backend import ChunkResult
from stt_engine.engine.tokens import compression_ratio
from stt_engine.transcript import Segment

WINDOW_SECONDS = 24.0  # packed speech ends well before the 30 s window does
GAP_SECONDS = 1.0
MAX_PIECE_SECONDS = 14.0  # longer chunks are decoded alone
_OVERLAP_SECONDS = 0.3  # a segment reaching this far into a second chunk spans both


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each packed chunk sits in the window, in seconds."""

    starts: tuple[float, ...]
    seconds: tuple[float, ...]

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Layout:
        starts, at = [], 0.0
        for length in seconds:
            starts.append(at)
            at += length + GAP_SECONDS
        return cls(tuple(starts), tuple(seconds))

    @property
    def total(self) -> float:
        return self.starts[-1] + self.seconds[-1] if self.starts else 0.0

    def fits(self, seconds: float) -> bool:
        return self.total + GAP_SECONDS + seconds <= WINDOW_SECONDS


def fits(held: Sequence[float], seconds: float) -> bool:
    """Whether one more chunk of ``seconds`` fits in a window already holding ``held``."""
    if seconds > MAX_PIECE_SECONDS or any(h > MAX_PIECE_SECONDS for h in held):
        return False
    return not held or Layout.of(held).fits(seconds)


def pack_audio(pieces: Sequence[np.ndarray]) -> np.ndarray:
    """The pieces end to end with a second of silence between them."""
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append(gap)
        parts.append(piece.astype(np.float32, copy=False))
    return np.concatenate(parts)


def unpack(result: ChunkResult, layout: Layout) -> list[ChunkResult] | None:
    """One result per packed chunk, timed from its own start; None when a segment spans two
    chunks or a chunk got no text."""
    owned: list[list[Segment]] = [[] for _ in layout.starts]
    for segment in result.segments:
        index = _owner(segment, layout)
        if index is None:
            return None
        owned[index].append(_local(segment, layout, index))
    if not all(any(s.text.strip() for s in segments) for segments in owned):
        return None
    return [_piece_result(result, segments, i == 0) for i, segments in enumerate(owned)]


def _owner(segment: Segment, layout: Layout) -> int | None:
    """The chunk holding the segment (the nearest one for a segment timed inside a gap, as
    timestamps drift); None for a segment that runs across two chunks."""
    spans = list(zip(layout.starts, layout.seconds, strict=True))
    reaches = [
        i
        for i, (start, length) in enumerate(spans)
        if min(segment.end, start + length) - max(segment.start, start) > _OVERLAP_SECONDS
    ]
    if len(reaches) > 1:
        return None
    if reaches:
        return reaches[0]
    middle = (segment.start + segment.end) / 2
    distance = [max(start - middle, middle - start - length, 0.0) for start, length in spans]
    return distance.index(min(distance))


def _local(segment: Segment, layout: Layout, index: int) -> Segment:
    start, length = layout.starts[index], layout.seconds[index]
    begin = min(max(segment.start - start, 0.0), length)
    end = min(max(segment.end - start, begin), length)
    return replace(segment, start=round(begin, 3), end=round(end, 3))


def _piece_result(result: ChunkResult, segments: list[Segment], first: bool) -> ChunkResult:
    text = "".join(s.text for s in segments)
    return replace(
        result,
        segments=tuple(segments),
        text=text,
        compression_ratio=compression_ratio(text),
        no_speech_prob=result.no_speech_prob if first else 0.0,
    )
