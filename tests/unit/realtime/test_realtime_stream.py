"""LiveStream with a recording decoder: finals decoded ahead at a pause, used or thrown away.

Real speech goes through the real turn detector in 100 ms pieces, faster than real time; the
decoder answers at once with the length of the audio it got, so which decode became the
final is visible in its text.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from live_fakes import RecordingDecoder, RecordingOutbox

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.diarize.turns import SpeakerEmbedder
from stt_engine.realtime.events import SessionConfig
from stt_engine.realtime.speakers import LiveSpeakers
from stt_engine.realtime.stream import LiveStream
from stt_engine.realtime.turn import PAUSE_MS, TurnSettings

CLIP = "ko/emotiontts/Main/main/lmy/lmy01001.flac"


async def _stream(
    audio: np.ndarray, silence_ms: int, embedder: SpeakerEmbedder | None = None
) -> tuple[RecordingOutbox, RecordingDecoder]:
    outbox, decoder = RecordingOutbox(strict=True), RecordingDecoder()
    turn = TurnSettings(silence_duration_ms=silence_ms)
    config = SessionConfig(turn=turn, diarize=embedder is not None)
    speakers = LiveSpeakers(lambda: embedder, 0.8) if embedder is not None else None
    stream = LiveStream(outbox, decoder, config, partial_interval=60.0, speakers=speakers)
    try:
        for start in range(0, audio.size, 1600):
            await stream.feed(audio[start : start + 1600])
            await asyncio.sleep(0)
        await stream.drain(10.0)
    finally:
        await stream.close()
    return outbox, decoder


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_the_final_decoded_at_the_pause_is_the_turns_final(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    audio = np.concatenate([_silence(1.0), speech, _silence(1.5)])
    outbox, decoder = asyncio.run(_stream(audio, silence_ms=800))
    assert len(outbox.turns) == 1
    turn = outbox.turns[0]
    samples = (turn.end_ms - turn.start_ms) * SAMPLE_RATE // 1000
    # the turn ends PAUSE_MS into its silence, and its one final decode was of that audio
    assert turn.end_ms == outbox.stops[0] + PAUSE_MS
    assert abs(decoder.finals[-1] - samples) <= SAMPLE_RATE // 1000
    assert outbox.texts == [f"samples {decoder.finals[-1]}"]
    assert decoder.finals.count(decoder.finals[-1]) == 1  # not decoded again at the commit


def test_speech_after_a_pause_throws_the_early_decode_away(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    # a pause inside the turn (the clip's own trailing silence and 0.5 s more): long enough
    # to decode ahead, too short to end the turn
    audio = np.concatenate([_silence(1.0), speech, _silence(0.5), speech, _silence(4.0)])
    outbox, decoder = asyncio.run(_stream(audio, silence_ms=3000))
    assert len(outbox.turns) == 1
    turn = outbox.turns[0]
    samples = (turn.end_ms - turn.start_ms) * SAMPLE_RATE // 1000
    assert len(decoder.finals) >= 2  # one ahead at the inner pause, then the turn's own
    assert decoder.finals[0] < speech.size + SAMPLE_RATE  # the first stopped at the pause
    assert outbox.texts == [f"samples {decoder.finals[-1]}"]
    assert abs(decoder.finals[-1] - samples) <= SAMPLE_RATE // 1000


class LoudnessVoice:
    """A stand-in voice print: turns louder than 0.05 RMS are one voice, quieter another."""

    def embed(self, audio: np.ndarray) -> np.ndarray:
        loud = float(np.sqrt(np.mean(audio**2))) > 0.05
        return np.array([1.0, 0.0] if loud else [0.0, 1.0], dtype=np.float32)


class BrokenVoice:
    def embed(self, audio: np.ndarray) -> np.ndarray:
        raise RuntimeError("the embedder broke")


def test_turns_complete_with_their_speakers(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    quiet = speech * (0.02 / float(np.sqrt(np.mean(speech**2))))
    loud = speech * (0.2 / float(np.sqrt(np.mean(speech**2))))
    audio = np.concatenate([_silence(1.0), loud, _silence(1.5), quiet, _silence(1.5), loud])
    outbox, _ = asyncio.run(_stream(np.concatenate([audio, _silence(1.5)]), 800, LoudnessVoice()))
    assert outbox.speakers == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1"]


def test_a_failed_voice_print_still_completes_the_turn(audio_dir: Path) -> None:
    speech = decode_audio(audio_dir / CLIP)
    audio = np.concatenate([_silence(1.0), speech, _silence(1.5)])
    outbox, decoder = asyncio.run(_stream(audio, 800, BrokenVoice()))
    assert outbox.texts == [f"samples {decoder.finals[-1]}"] and outbox.speakers == [None]
