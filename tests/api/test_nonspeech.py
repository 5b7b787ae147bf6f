"""No text from silence, noise, hum or tones: the default engine and the server, on the sox set.

The engine runs with the shipped defaults (every chunk in a fitted encoder window); each file
is also sent with the language given, so a forced decode cannot make words from it either.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openai import OpenAI

from stt_engine.audio import decode_audio
from stt_engine.engine import Engine, TranscribeOptions

NAMES = (
    "silence",
    "white_noise",
    "pink_noise",
    "brown_noise",
    "hum_50hz",
    "hum_60hz",
    "tone_1khz",
    "dual_tone",
    "dtmf_keys",
)


def test_the_engine_under_test_runs_the_defaults(engine: Engine) -> None:
    assert engine.settings.fitted_windows == "all"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", [None, "en", "ko"])
def test_the_default_engine_gives_no_text(
    engine: Engine, nonspeech: dict[str, Path], name: str, language: str | None
) -> None:
    audio = decode_audio(nonspeech[name])
    transcript = engine.transcribe_all(audio, TranscribeOptions(language=language))
    assert transcript.text.strip() == "", f"{name} read as {transcript.text!r}"


@pytest.mark.parametrize("name", NAMES)
def test_the_server_gives_no_text(client: OpenAI, nonspeech: dict[str, Path], name: str) -> None:
    with nonspeech[name].open("rb") as audio:
        result = client.audio.transcriptions.create(file=audio, model="whisper-1")
    assert result.text.strip() == "", f"{name} read as {result.text!r}"


def test_the_set_is_what_it_says(nonspeech: dict[str, Path]) -> None:
    assert sorted(nonspeech) == sorted(NAMES)
    for path in nonspeech.values():
        audio = decode_audio(path)
        assert 2.0 <= audio.size / 16_000 <= 5.0
    assert not decode_audio(nonspeech["silence"]).any()
