"""Split long audio into windows cut at quiet moments, so memory stays flat with length.

faster-whisper computes features for all the audio it is given at once; for hours of audio
that alone needs gigabytes. Windows of a few minutes, cut in the quietest half second near
each boundary, keep peak memory independent of the recording's length (features for five
minutes take tens of megabytes; for two hours, gigabytes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from stt_engine.audio import SAMPLE_RATE

WINDOW_SECONDS = 300.0
SEARCH_SECONDS = 30.0
_SLOT = SAMPLE_RATE // 2


def window_bounds(
    audio: np.ndarray,
    window_seconds: float = WINDOW_SECONDS,
    search_seconds: float = SEARCH_SECONDS,
) -> list[tuple[int, int]]:
    """(start, end) sample indices covering the audio, each at most window_seconds long."""
    size = audio.size
    window = int(window_seconds * SAMPLE_RATE)
    if size <= window:
        return [(0, size)]
    bounds: list[tuple[int, int]] = []
    start = 0
    while size - start > window:
        cut = _quietest_cut(audio, start + window, search_seconds)
        bounds.append((start, cut))
        start = cut
    bounds.append((start, size))
    return bounds


def _quietest_cut(audio: np.ndarray, limit: int, search_seconds: float = SEARCH_SECONDS) -> int:
    """The middle of the quietest half-second slot in the search span before ``limit``."""
    search = int(search_seconds * SAMPLE_RATE)
    lo = max(limit - search, 0)
    span = audio[lo:limit]
    slots = span.size // _SLOT
    if slots == 0:
        return limit
    energy = np.square(span[: slots * _SLOT].reshape(slots, _SLOT), dtype=np.float32).mean(axis=1)
    best = int(np.argmin(energy))
    return lo + best * _SLOT + _SLOT // 2


def stream_windows(
    chunks: Iterable[np.ndarray], window_seconds: float = WINDOW_SECONDS
) -> Iterator[tuple[int, np.ndarray]]:
    """(first sample, samples) windows cut like ``window_bounds``, from audio still decoding.

    Only about one window of samples is held at a time, whatever the recording's length.
    """
    window = int(window_seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    held = 0
    start = 0
    for chunk in chunks:
        pending.append(chunk)
        held += chunk.size
        while held > window:
            buffer = np.concatenate(pending)
            cut = _quietest_cut(buffer, window)
            yield start, buffer[:cut]
            start += cut
            pending, held = [buffer[cut:]], buffer.size - cut
    if held:
        yield start, np.concatenate(pending)
