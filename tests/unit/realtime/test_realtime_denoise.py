"""noise_reduction on live sessions: RNNoise over the 16 kHz stream (realtime/denoise.py).

The filter must take noise down, leave speech in, keep its state across appends of any size,
and run only for sessions that ask for it; a server without the extra answers a clear error
and keeps the session as it was.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from live_fakes import RecordingDecoder, RecordingOutbox

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.bench.degrade import pink_noise
from stt_engine.errors import NoiseReductionUnavailableError
from stt_engine.realtime import denoise
from stt_engine.realtime.events import SessionConfig
from stt_engine.realtime.session import Session

pytest.importorskip("pyrnnoise")
CLIP = "ko/emotiontts/Main/main/lmy/lmy01001.flac"


def _noise(seconds: float, rms: float = 0.03, seed: int = 0) -> np.ndarray:
    noise = pink_noise(int(seconds * SAMPLE_RATE), np.random.default_rng(seed))
    return (noise * rms / np.sqrt(np.mean(noise**2))).astype(np.float32)


def _rms_db(audio: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(audio.astype(np.float64) ** 2) + 1e-12))


def _stream(audio: np.ndarray, piece: int) -> np.ndarray:
    denoiser = denoise.Denoiser()
    try:
        parts = [denoiser.process(audio[k : k + piece]) for k in range(0, audio.size, piece)]
    finally:
        denoiser.close()
    return np.concatenate(parts)


def test_steady_noise_is_taken_down() -> None:
    noise = _noise(3.0)
    cleaned = _stream(noise, 1600)
    assert cleaned.size > noise.size - 480  # it lags by 20 ms (320 samples)
    tail = slice(SAMPLE_RATE, 2 * SAMPLE_RATE)  # after the network has settled
    assert _rms_db(cleaned[tail]) < _rms_db(noise[tail]) - 20


def test_speech_stays(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    cleaned = _stream(speech + _noise(speech.size / SAMPLE_RATE, rms=0.005), 2400)
    # the cleaned stream keeps the speech's energy (within 3 dB) and follows its waveform,
    # a few milliseconds late (the resamplers' delay)
    assert abs(_rms_db(cleaned) - _rms_db(speech[: cleaned.size])) < 3
    size = cleaned.size - 480
    lag = max(range(480), key=lambda k: float(np.dot(cleaned[k : k + size], speech[:size])))
    assert lag <= 400  # measured 320 samples: 20 ms
    assert np.corrcoef(cleaned[lag : lag + size], speech[:size])[0, 1] > 0.8


def test_appends_of_any_size_give_one_stream(audio_dir: Path) -> None:
    audio = decode_audio(audio_dir / CLIP)[: 2 * SAMPLE_RATE] + _noise(2.0)
    whole, small, odd = _stream(audio, audio.size), _stream(audio, 160), _stream(audio, 1234)
    size = min(whole.size, small.size, odd.size) - 480  # the resamplers hold back a few samples
    assert size > audio.size - 1000
    np.testing.assert_allclose(small[:size], whole[:size], atol=2e-3)
    np.testing.assert_allclose(odd[:size], whole[:size], atol=2e-3)


def _update(noise: str | None) -> str:
    import json

    reduction = {"type": noise} if noise else None
    session = {"type": "transcription", "audio": {"input": {"noise_reduction": reduction}}}
    return json.dumps({"type": "session.update", "session": session})


async def _committed_audio(
    noise: str | None, audio: np.ndarray
) -> tuple[np.ndarray, RecordingOutbox]:
    outbox, recorder = RecordingOutbox(), RecordingDecoder()
    session = Session(outbox, recorder, config=SessionConfig(turn=None))
    try:
        await session.handle(_update(noise))
        for start in range(0, audio.size, 1600):
            await session.feed(audio[start : start + 1600])
        await session.handle('{"type": "input_audio_buffer.commit"}')
        await session.finish(10.0)
    finally:
        await session.close()
    assert len(recorder.heard) == 1, outbox.problems
    return recorder.heard[0], outbox


@pytest.mark.parametrize("kind", ["near_field", "far_field"])
def test_a_session_that_asks_hears_the_cleaned_audio(kind: str) -> None:
    noise = _noise(2.0)
    heard, outbox = asyncio.run(_committed_audio(kind, noise))
    assert outbox.configs[-1].noise_reduction == kind and outbox.problems == []
    tail = slice(SAMPLE_RATE, heard.size)
    assert _rms_db(heard[tail]) < _rms_db(noise[tail]) - 20


def test_a_session_that_does_not_ask_hears_the_audio_as_sent() -> None:
    noise = _noise(2.0)
    heard, outbox = asyncio.run(_committed_audio(None, noise))
    assert outbox.configs[-1].noise_reduction is None
    np.testing.assert_array_equal(heard, noise)


def test_turning_it_off_again_stops_the_filter() -> None:
    async def run() -> Session:
        session = Session(RecordingOutbox(), RecordingDecoder(), config=SessionConfig(turn=None))
        await session.handle(_update("near_field"))
        assert session.denoiser is not None
        await session.handle(_update(None))
        await session.close()
        return session

    assert asyncio.run(run()).denoiser is None


def test_without_the_extra_the_session_gets_an_error_and_stays_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> None:
        raise NoiseReductionUnavailableError(
            "noise_reduction needs the denoise extra, which this server lacks",
            param="session.audio.input.noise_reduction",
        )

    monkeypatch.setattr(denoise, "_library", missing)

    async def run() -> tuple[Session, RecordingOutbox]:
        outbox = RecordingOutbox()
        session = Session(outbox, RecordingDecoder(), config=SessionConfig(turn=None))
        await session.handle(_update("far_field"))
        await session.close()
        return session, outbox

    session, outbox = asyncio.run(run())
    assert [p.code for p in outbox.problems] == ["noise_reduction_unavailable"]
    assert "denoise" in outbox.problems[0].message
    assert outbox.problems[0].param == "session.audio.input.noise_reduction"
    assert session.config.noise_reduction is None and session.denoiser is None
