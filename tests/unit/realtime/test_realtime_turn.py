"""server_vad on Silero: turns found in real speech fed in 100 ms pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.realtime.turn import PAUSE_MS, TurnDetector, TurnEvent, TurnSettings

CLIPS = ("ko/emotiontts/Main/main/lmy/lmy01001.flac", "ko/emotiontts/Main/main/lmy/lmy01002.flac")


def _feed(detector: TurnDetector, audio: np.ndarray) -> list[TurnEvent]:
    events: list[TurnEvent] = []
    for start in range(0, audio.size, 1600):
        events.extend(detector.feed(audio[start : start + 1600]))
    return events


def test_two_utterances_make_two_turns(audio_dir: Path) -> None:
    first, second = (decode_audio(audio_dir / c) for c in CLIPS)
    gap = np.zeros(int(1.5 * SAMPLE_RATE), dtype=np.float32)
    audio = np.concatenate([gap, first, gap, second, gap])
    found = _feed(TurnDetector(TurnSettings(silence_duration_ms=700)), audio)
    events = [e for e in found if e.kind != "paused"]
    assert [e.kind for e in events] == ["started", "stopped", "started", "stopped"]
    # each turn's stop was announced by a pause where its silence began
    for stop in (events[1], events[3]):
        before = found[: found.index(stop)]
        assert before[-1] == TurnEvent("paused", stop.sample)
    second_start = gap.size * 2 + first.size
    assert gap.size - 8000 < events[0].sample < gap.size + 8000
    assert events[1].sample < second_start <= events[2].sample + 8000
    assert events[3].sample <= audio.size
    assert not any(e.forced for e in events)


def test_long_speech_is_cut_at_the_turn_limit(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIPS[0])
    events = _feed(TurnDetector(TurnSettings(max_turn_seconds=2.0)), speech)
    forced = [e for e in events if e.forced]
    assert forced, events
    start = events[0].sample
    assert abs(forced[0].sample - start - 2 * SAMPLE_RATE) <= 512
    index = events.index(forced[0])
    assert events[index + 1] == TurnEvent("started", forced[0].sample)


def test_silence_opens_no_turn() -> None:
    detector = TurnDetector(TurnSettings())
    assert _feed(detector, np.zeros(5 * SAMPLE_RATE, dtype=np.float32)) == []
    assert not detector.in_speech


def test_a_pause_is_reported_only_when_the_turn_needs_longer_silence(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIPS[0])
    audio = np.concatenate([speech, np.zeros(SAMPLE_RATE, dtype=np.float32)])
    quick = _feed(TurnDetector(TurnSettings(silence_duration_ms=PAUSE_MS)), audio)
    assert "paused" not in [e.kind for e in quick]
    assert [e.kind for e in quick][-1] == "stopped"
