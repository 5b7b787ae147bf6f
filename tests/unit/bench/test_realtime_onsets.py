"""The realtime latency bench counts a clip's first delta from the clip's own first sound."""

from __future__ import annotations

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.bench.realtime_latency import onset_latencies, speech_onset
from stt_engine.realtime.client import StreamResult, TurnTimes


def test_the_onset_is_the_first_loud_frame_after_faint_noise() -> None:
    rng = np.random.default_rng(0)
    audio = (1e-4 * rng.standard_normal(SAMPLE_RATE)).astype(np.float32)  # -80 dBFS
    audio[4200:9000] += 0.2 * np.sin(np.arange(4800) * 0.3).astype(np.float32)
    assert speech_onset(audio) == 4160  # the 10 ms frame the tone starts in
    assert speech_onset(np.zeros(SAMPLE_RATE, dtype=np.float32)) == 0


def _turn(item: str, start_ms: int, first_delta: float | None) -> TurnTimes:
    return TurnTimes(item, audio_start_ms=start_ms, first_delta=first_delta)


def test_each_clip_takes_the_first_delta_of_its_own_turns() -> None:
    result = StreamResult(started=100.0)
    result.turns = {
        "a": _turn("a", 1700, 102.9),  # clip 1 (onset 2.0 s): 0.9 s after its first sound
        "b": _turn("b", 4000, 104.5),  # clip 1 split in two: a later delta, not its first
        "c": _turn("c", 8800, None),  # clip 2 (onset 9.0 s): its first turn had no delta
        "d": _turn("d", 10000, 110.6),  # ... its second did: 1.6 s after the onset
    }
    latencies = onset_latencies(result, [2000, 9000], speed=1.0)
    assert np.allclose(latencies, [0.9, 1.6])


def test_speed_scales_when_the_onset_was_sent() -> None:
    result = StreamResult(started=0.0)
    result.turns = {"a": _turn("a", 1700, 1.5)}
    assert np.allclose(onset_latencies(result, [2000], speed=2.0), [0.5])
