"""Live speaker labels: turns join the nearest voice above the threshold, else start one."""

from __future__ import annotations

import numpy as np
import pytest

from stt_engine.diarize.online import MIN_VOICE_SECONDS, OnlineSpeakers
from stt_engine.realtime.decoder import model_name
from stt_engine.realtime.events import SessionConfig, apply_ga, diarizing


def _voice(angle: float) -> np.ndarray:
    """A unit vector at ``angle`` radians in a plane: cos(a - b) is the similarity."""
    vector = np.zeros(192, dtype=np.float32)
    vector[0], vector[1] = np.cos(angle), np.sin(angle)
    return vector


def test_a_voice_keeps_its_label_and_a_new_one_gets_the_next() -> None:
    speakers = OnlineSpeakers(threshold=0.8)
    labels = [speakers.assign(_voice(a), 4.0) for a in (0.0, 1.2, 0.1, 1.1, 0.05)]
    assert labels == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1", "SPEAKER_2", "SPEAKER_1"]


def test_the_threshold_decides_between_joining_and_starting() -> None:
    near = np.arccos(0.85)  # 0.85 similar to the first voice
    assert OnlineSpeakers(0.8).assign(_voice(0.0), 4) == "SPEAKER_1"
    joined, split = OnlineSpeakers(0.8), OnlineSpeakers(0.9)
    for speakers in (joined, split):
        speakers.assign(_voice(0.0), 4.0)
    assert joined.assign(_voice(near), 4.0) == "SPEAKER_1"
    assert split.assign(_voice(near), 4.0) == "SPEAKER_2"


def test_a_short_turn_takes_the_nearest_label_and_moves_no_centroid() -> None:
    speakers = OnlineSpeakers(threshold=0.8)
    speakers.assign(_voice(0.0), 4.0)
    speakers.assign(_voice(1.5), 4.0)
    short = MIN_VOICE_SECONDS / 2
    assert speakers.assign(_voice(2.5), short) == "SPEAKER_2"  # far from both, but short
    assert speakers.count == 2
    # the centroid of SPEAKER_2 did not move towards 2.5: a voice at 1.5 still matches it
    assert speakers.assign(_voice(1.5), 4.0) == "SPEAKER_2"


def test_past_the_speaker_cap_turns_join_the_nearest() -> None:
    speakers = OnlineSpeakers(threshold=0.99, max_speakers=2)
    labels = [speakers.assign(_voice(a), 4.0) for a in (0.0, 1.5, 3.0, 0.3)]
    assert labels == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_2", "SPEAKER_1"]


def test_a_threshold_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        OnlineSpeakers(0.0)


@pytest.mark.parametrize(
    ("model", "diarize", "engine_model"),
    [
        ("gpt-4o-transcribe-diarize", True, None),
        ("gpt-4o-transcribe", False, None),
        ("base-diarize", True, "base"),
        ("base", False, "base"),
    ],
)
def test_a_diarize_model_name_asks_for_speakers(
    model: str, diarize: bool, engine_model: str | None
) -> None:
    session = {"type": "transcription", "audio": {"input": {"transcription": {"model": model}}}}
    config = apply_ga(SessionConfig(), session, 30.0)
    assert config.diarize is diarize and diarizing(model) is diarize
    assert model_name(config.model) == engine_model
