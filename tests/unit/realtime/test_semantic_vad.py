"""semantic_vad: a turn ends sooner after a finished sentence and later after words that
promise more, in Korean and English, scaled by the eagerness; on real speech and Silero."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.realtime.events import SessionConfig, apply_ga, describe
from stt_engine.realtime.semantic import EAGERNESS_SILENCE_MS, ending, silence_ms
from stt_engine.realtime.turn import TurnDetector, TurnSettings

CLIP = "ko/emotiontts/Main/main/lmy/lmy02044.flac"  # "전 스파게티 좋아해요."


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I went home.", "finished"),
        ("Did you see it?", "finished"),
        ("전 스파게티 좋아해요", "finished"),
        ("내일 다시 오겠습니다.", "finished"),
        ("I went home and", "open"),
        ("I was thinking about the", "open"),
        ("Well,", "open"),
        ("so...", "open"),
        ("어제 시장에 갔는데", "open"),
        ("밥을 먹고", "open"),
        ("그리고", "open"),
        ("저는 학교를", "open"),
        ("I went home", "unknown"),
        ("", "unknown"),
    ],
)
def test_the_ending_of_the_text_so_far(text: str, kind: str) -> None:
    assert ending(text) == kind


@pytest.mark.parametrize("eagerness", sorted(EAGERNESS_SILENCE_MS))
def test_finished_is_sooner_and_open_later_at_every_eagerness(eagerness: str) -> None:
    base = EAGERNESS_SILENCE_MS[eagerness]
    finished = silence_ms("I went home.", eagerness)
    opened = silence_ms("I went home and", eagerness)
    assert finished < base < opened
    assert silence_ms("I went home", eagerness) == base
    assert silence_ms("좋아해요.", "high") < silence_ms("좋아해요.", "low")


def _stop_heard_at(audio: np.ndarray, text: str, eagerness: str) -> int:
    """The sample fed when the turn's stop was decided, the detector hearing ``text``."""
    settings = TurnSettings(
        silence_duration_ms=EAGERNESS_SILENCE_MS[eagerness], eagerness=eagerness
    )
    detector = TurnDetector(settings)
    for start in range(0, audio.size, 512):
        for event in detector.feed(audio[start : start + 512]):
            if event.kind == "started":
                detector.hear(text)
            if event.kind == "stopped":
                return start
    raise AssertionError("the turn never stopped")


def test_a_turn_ends_sooner_after_a_finished_sentence(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    gap = np.zeros(3 * SAMPLE_RATE, dtype=np.float32)
    audio = np.concatenate([gap[:SAMPLE_RATE], speech, gap])
    finished = _stop_heard_at(audio, "전 스파게티 좋아해요.", "auto")
    unknown = _stop_heard_at(audio, "전 스파게티", "auto")
    trailing = _stop_heard_at(audio, "전 스파게티를 먹고", "auto")
    assert finished < unknown < trailing
    assert (trailing - finished) / SAMPLE_RATE >= 0.6  # 250 ms against 1000 ms of silence


def test_semantic_vad_is_kept_and_described() -> None:
    session = {"type": "transcription", "audio": {"input": {"turn_detection": {
        "type": "semantic_vad", "eagerness": "high"}}}}  # fmt: skip
    config = apply_ga(SessionConfig(), session, 30.0)
    assert config.turn is not None and config.turn.eagerness == "high"
    described = describe(config, "sess_1", "ga")["audio"]["input"]  # type: ignore[index]
    assert described["turn_detection"] == {"type": "semantic_vad", "eagerness": "high"}
