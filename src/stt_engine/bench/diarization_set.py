"""The diarization evaluation set: recordings built from real clips, with exact turns.

A reference (JSON, kept in the repository) lists each turn as a piece of a source clip: the
source file (relative to the audio folder), the sample range taken from it, and where it is
placed. ``render`` rebuilds the recording from the sources alone, so the audio never needs to
be stored; ``reference_turns`` gives the turns to score against. Pieces are cut at the
quietest frame near the wanted length and trimmed of leading and trailing silence, so each
turn starts and ends with speech.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.diarize.turns import SpeakerTurn

_FRAME = 320  # 20 ms
_SILENCE_RANGE_DB = 35.0  # frames this far below the clip's loudest are silence
_NOISE_PERCENTILE = 5  # a source's noise level: its quietest frames but a few
_ABOVE_NOISE_DB = 10.0  # speech is at least this much above the noise


@dataclass(frozen=True, slots=True)
class Piece:
    source: str  # relative to the audio folder
    begin: int  # samples taken from the source: [begin, end)
    end: int
    at: int  # where it starts in the recording (samples)
    speaker: str
    speech: tuple[tuple[int, int], ...] = ()  # its speech, relative to begin (pauses left out)


def load_reference(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def pieces(reference: dict[str, Any]) -> list[Piece]:
    return [
        Piece(**{**p, "speech": tuple(tuple(s) for s in p.get("speech", ()))})
        for p in reference["pieces"]
    ]


def reference_turns(reference: dict[str, Any]) -> list[SpeakerTurn]:
    turns = []
    for p in pieces(reference):
        for a, b in p.speech or ((0, p.end - p.begin),):
            turns.append(SpeakerTurn((p.at + a) / SAMPLE_RATE, (p.at + b) / SAMPLE_RATE, p.speaker))
    return turns


def render(reference: dict[str, Any], audio_root: Path) -> np.ndarray:
    """The recording, rebuilt from its sources."""
    parts = pieces(reference)
    total = max(p.at + p.end - p.begin for p in parts)
    out = np.zeros(total, dtype=np.float32)
    cache: dict[str, np.ndarray] = {}
    for p in parts:
        if p.source not in cache:
            cache[p.source] = decode_audio(audio_root / p.source)
        out[p.at : p.at + p.end - p.begin] += cache[p.source][p.begin : p.end]
    return np.clip(out, -1.0, 1.0)


def speech_span(samples: np.ndarray, begin: int = 0, end: int | None = None) -> tuple[int, int]:
    """[begin, end) narrowed to the first and last frame of speech."""
    end = samples.size if end is None else end
    levels = _levels(samples[begin:end])
    if levels.size == 0:
        return begin, end
    speech = np.flatnonzero(levels > levels.max() - _SILENCE_RANGE_DB)
    return begin + int(speech[0]) * _FRAME, begin + (int(speech[-1]) + 1) * _FRAME


def speech_runs(samples: np.ndarray, begin: int, end: int, pause: float = 0.5) -> list[list[int]]:
    """[start, end) of speech within [begin, end), relative to begin; pauses of at least
    ``pause`` seconds (frames below the piece's speech floor) are left out.

    The floor is 35 dB below the piece's loudest frame, and at least 10 dB above the whole
    source's noise (its 5th-percentile frame): in a recording with audible background noise
    (30 dB below its speech in some English clips), the noise is not speech."""
    levels = _levels(samples[begin:end])
    noise = float(np.percentile(_levels(samples), _NOISE_PERCENTILE)) if samples.size else -120.0
    floor = max(levels.max(initial=-120.0) - _SILENCE_RANGE_DB, noise + _ABOVE_NOISE_DB)
    speech = levels > floor
    runs: list[list[int]] = []
    shortest = int(pause * SAMPLE_RATE / _FRAME)
    for index in np.flatnonzero(speech):
        if runs and index - runs[-1][1] < shortest:
            runs[-1][1] = int(index) + 1
        else:
            runs.append([int(index), int(index) + 1])
    return [[a * _FRAME, min(b * _FRAME, end - begin)] for a, b in runs]


def split_at_pauses(samples: np.ndarray, seconds: float) -> list[tuple[int, int]]:
    """Pieces of about ``seconds``, each cut at the quietest 20 ms frame near its end."""
    levels = _levels(samples)
    step, reach = int(seconds * SAMPLE_RATE / _FRAME), int(2.0 * SAMPLE_RATE / _FRAME)
    cuts, at = [0], 0
    while at + step + reach < levels.size:
        window = levels[at + step - reach : at + step + reach]
        at = at + step - reach + int(np.argmin(window))
        cuts.append(at)
    cuts.append(levels.size)
    spans = [speech_span(samples, a * _FRAME, b * _FRAME) for a, b in pairwise(cuts)]
    return [s for s in spans if s[1] - s[0] > SAMPLE_RATE]


def _levels(samples: np.ndarray) -> np.ndarray:
    frames = samples.size // _FRAME
    power = np.mean(np.square(samples[: frames * _FRAME].reshape(frames, _FRAME)), axis=1)
    return np.asarray(10.0 * np.log10(power + 1e-12))
