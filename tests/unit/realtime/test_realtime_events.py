"""Session updates in both protocol generations, and the errors for wrong values."""

from __future__ import annotations

import pytest

from stt_engine.realtime.events import EventError, SessionConfig, apply_beta, apply_ga, describe
from stt_engine.realtime.input_audio import AudioFormat


def test_ga_update_sets_format_transcription_and_manual_turns() -> None:
    session = {
        "type": "transcription",
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 16000},
                "transcription": {"model": "whisper-1", "language": "ko", "prompt": "회의"},
                "turn_detection": None,
                "noise_reduction": {"type": "near_field"},
            }
        },
    }
    config = apply_ga(SessionConfig(), session, 30.0)
    assert config.audio_format == AudioFormat("pcm16", 16000)
    assert (config.model, config.language, config.prompt) == ("whisper-1", "ko", "회의")
    assert config.turn is None and config.noise_reduction == "near_field"
    shown = describe(config, "sess_1", "ga")
    assert shown["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 16000}  # type: ignore[index]


def test_beta_update_keeps_fields_it_does_not_name() -> None:
    start = SessionConfig(language="en")
    config = apply_beta(start, {"input_audio_format": "g711_alaw"}, 30.0)
    assert config.audio_format == AudioFormat("pcma", 8000)
    assert config.language == "en" and config.turn == start.turn
    vad = {"turn_detection": {"type": "server_vad", "silence_duration_ms": 800}}
    assert apply_beta(config, vad, 30.0).turn.silence_duration_ms == 800  # type: ignore[union-attr]
    assert describe(config, "s", "beta")["input_audio_format"] == "g711_alaw"


def _ga(audio_input: dict[str, object]) -> dict[str, object]:
    return {"type": "transcription", "audio": {"input": audio_input}}


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"type": "realtime"}, "session.type"),
        ({"type": "transcription", "audio": {"input": {"format": {"type": "audio/wav"}}}},
         "session.audio.input.format"),
        (_ga({"format": {"type": "audio/pcm", "rate": 44100}}),
         "session.audio.input.format.audio/pcm.rate"),
        (_ga({"turn_detection": {"type": "server_vad", "threshold": 2}}),
         "session.audio.input.turn_detection.server_vad.threshold"),
        ({"type": "transcription", "audio": {"input": {"transcription": {"language": "korean!"}}}},
         "session.audio.input.transcription.language"),
        ("not an object", "session"),
    ],
)  # fmt: skip
def test_wrong_values_name_their_field(session: object, param: str) -> None:
    with pytest.raises(EventError) as caught:
        apply_ga(SessionConfig(), session, 30.0)
    assert caught.value.param == param
    assert caught.value.code == "invalid_value"


def test_beta_format_names_are_checked() -> None:
    with pytest.raises(EventError) as caught:
        apply_beta(SessionConfig(), {"input_audio_format": "mp3"}, 30.0)
    assert caught.value.param == "session.input_audio_format"
