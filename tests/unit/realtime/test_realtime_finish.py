"""Session.finish: what a live session does when the server stops (graceful.py).

The turn in progress is committed and decoded, and every final is sent; with nothing to
commit (silence under server_vad, or under 100 ms of buffer) nothing is sent, not even an
error. The decoder answers at once with the length of the audio it got.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from live_fakes import RecordingDecoder, RecordingOutbox

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.realtime.events import SessionConfig
from stt_engine.realtime.session import Session
from stt_engine.realtime.turn import TurnSettings

CLIP = "ko/emotiontts/Main/main/lmy/lmy01001.flac"


async def _finish(audio: np.ndarray, turn: TurnSettings | None) -> RecordingOutbox:
    finals = RecordingOutbox()
    session = Session(finals, RecordingDecoder(), config=SessionConfig(turn=turn))
    try:
        for start in range(0, audio.size, 1600):
            await session.feed(audio[start : start + 1600])
            await asyncio.sleep(0)
        await session.finish(10.0)
    finally:
        await session.close()
    return finals


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_an_open_vad_turn_gets_its_final(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    audio = np.concatenate([_silence(1.0), speech[: speech.size // 2]])  # stopped mid-speech
    finals = asyncio.run(_finish(audio, TurnSettings(silence_duration_ms=3000)))
    assert len(finals.texts) == 1 and finals.problems == []
    assert int(finals.texts[0].split()[1]) > speech.size // 4


def test_silence_under_vad_sends_nothing() -> None:
    finals = asyncio.run(_finish(_silence(2.0), TurnSettings()))
    assert finals.texts == [] and finals.problems == []


def test_a_manual_buffer_is_committed_whole() -> None:
    audio = np.full(SAMPLE_RATE, 0.01, dtype=np.float32)
    finals = asyncio.run(_finish(audio, None))
    assert finals.texts == [f"samples {SAMPLE_RATE}"] and finals.problems == []


def test_a_manual_buffer_under_100_ms_sends_nothing() -> None:
    finals = asyncio.run(_finish(_silence(0.05), None))
    assert finals.texts == [] and finals.problems == []
