"""Speaker turns, the diarization request, and the contract a diarization backend meets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from stt_engine.errors import InvalidRequestError

Mode = Literal["auto", "cluster", "channels"]
MODES: tuple[str, ...] = ("auto", "cluster", "channels")


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One stretch of speech by one speaker, in seconds on the recording's timeline."""

    start: float
    end: float
    speaker: str

    @property
    def seconds(self) -> float:
        return max(self.end - self.start, 0.0)


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    """What the caller knows about the number of speakers (0: not given)."""

    num: int = 0
    min: int = 0
    max: int = 0

    def __post_init__(self) -> None:
        if self.min and self.max and self.min > self.max:
            raise InvalidRequestError(
                f"min_speakers ({self.min}) is more than max_speakers ({self.max})",
                param="min_speakers",
            )
        if self.num and (self.num < (self.min or self.num) or self.num > (self.max or self.num)):
            raise InvalidRequestError(
                f"num_speakers ({self.num}) is outside min_speakers..max_speakers",
                param="num_speakers",
            )

    def bounds(self) -> tuple[int, int]:
        """(lowest, highest) allowed; 0 where open."""
        if self.num:
            return self.num, self.num
        return self.min, self.max


class Diarizer(Protocol):
    """Speaker turns for 16 kHz mono float32 audio; ``words`` are the (start, end) seconds of
    decoded words, speech that must get a speaker even where voice detection missed it."""

    def diarize(
        self, audio: np.ndarray, count: SpeakerCount, words: tuple[tuple[float, float], ...] = ()
    ) -> list[SpeakerTurn]: ...


class SpeakerEmbedder(Protocol):
    """One unit-length voice embedding for a piece of 16 kHz mono float32 speech."""

    def embed(self, audio: np.ndarray) -> np.ndarray: ...


def speaker_label(index: int) -> str:
    """The label clients see for the index-th speaker (from 0): SPEAKER_1, SPEAKER_2, ..."""
    return f"SPEAKER_{index + 1}"


def relabel(turns: list[SpeakerTurn]) -> list[SpeakerTurn]:
    """Turns sorted by start, speakers renamed SPEAKER_1, ... in order of first speech."""
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    names: dict[str, str] = {}
    for turn in ordered:
        names.setdefault(turn.speaker, speaker_label(len(names)))
    return [SpeakerTurn(t.start, t.end, names[t.speaker]) for t in ordered]


def merge_adjacent(turns: list[SpeakerTurn], gap: float = 0.0) -> list[SpeakerTurn]:
    """Sorted turns with consecutive turns of one speaker (at most ``gap`` apart) joined."""
    merged: list[SpeakerTurn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        last = merged[-1] if merged else None
        if last is not None and last.speaker == turn.speaker and turn.start - last.end <= gap:
            merged[-1] = SpeakerTurn(last.start, max(last.end, turn.end), last.speaker)
        else:
            merged.append(turn)
    return merged
