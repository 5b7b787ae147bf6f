"""Speaker turns of a two-party recording with one party per channel, from channel energy.

A channel speaks in a 20 ms frame when its level is above the speech floor (a fixed range
below the recording's loudest frame, and an absolute floor) and not far below the loudest
channel of that frame (quieter is crosstalk, the other party leaking in). Channels are judged
one by one, so both parties may speak at once; short gaps inside a turn are bridged and blips
are dropped. Channel 1 is SPEAKER_1, channel 2 SPEAKER_2, and so on:
no clustering, so the labels follow the wiring, not the voices.
"""

from __future__ import annotations

import numpy as np

from stt_engine.diarize.turns import SpeakerTurn, merge_adjacent, speaker_label
from stt_engine.errors import InvalidRequestError

SAMPLE_RATE = 16_000
FRAME = 320  # 20 ms
_FLOOR_DB = -55.0  # quieter than this is silence whatever the recording's level
_RANGE_DB = 35.0  # frames this far below the loudest frame are silence
_CROSSTALK_DB = 20.0  # a channel this far below the loudest one in a frame only leaks it
_BRIDGE_SECONDS = 0.3  # a pause shorter than this stays inside the turn
_SHORTEST_SECONDS = 0.15  # a turn shorter than this is a click or crosstalk


def channel_turns(channels: np.ndarray) -> list[SpeakerTurn]:
    """Turns from (channels, samples) 16 kHz audio; a channel that never speaks has none."""
    if channels.ndim != 2 or channels.shape[0] < 2:
        raise InvalidRequestError(
            "diarize_mode=channels needs a recording with two or more channels; this one has one",
            param="diarize_mode",
        )
    levels = frame_levels(channels)
    loudest = float(levels.max()) if levels.size else _FLOOR_DB
    floor = max(_FLOOR_DB, loudest - _RANGE_DB)
    active = (levels > floor) & (levels >= levels.max(axis=0) - _CROSSTALK_DB)
    turns: list[SpeakerTurn] = []
    for channel, speaking in enumerate(active):
        runs = _runs(speaking, speaker_label(channel))
        bridged = merge_adjacent(runs, gap=_BRIDGE_SECONDS)
        turns.extend(t for t in bridged if t.seconds >= _SHORTEST_SECONDS)
    return sorted(turns, key=lambda t: (t.start, t.speaker))


def frame_levels(channels: np.ndarray) -> np.ndarray:
    """(channels, frames) RMS level in dBFS of each 20 ms frame."""
    frames = channels.shape[1] // FRAME
    shaped = channels[:, : frames * FRAME].reshape(channels.shape[0], frames, FRAME)
    power = np.mean(np.square(shaped, dtype=np.float64), axis=2)
    return 10.0 * np.log10(power + 1e-12)


def _runs(speaking: np.ndarray, speaker: str) -> list[SpeakerTurn]:
    """Consecutive speaking frames of one channel as turns."""
    edges = np.diff(np.concatenate(([0], speaking.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    seconds = FRAME / SAMPLE_RATE
    return [
        SpeakerTurn(float(a * seconds), float(b * seconds), speaker)
        for a, b in zip(starts, ends, strict=True)
    ]
