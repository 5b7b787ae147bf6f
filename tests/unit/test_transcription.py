"""One transcription through the batcher with a scripted backend: fallback, silence, order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.batcher import Batcher, BatchSettings
from stt_engine.engine.contract import (
    ChunkInput,
    ChunkResult,
    DecodeOptions,
    DeviceChoice,
    TranscribeOptions,
)
from stt_engine.engine.transcription import Decoding, needs_fallback, transcribe_windows
from stt_engine.transcript import Segment

NO_VAD = TranscribeOptions(vad_filter=False, filter_hallucinations=False)


class ScriptedBackend:
    """Chunk ``i`` (its first sample holds ``i``) decodes as scripted per temperature."""

    multilingual = True
    device = DeviceChoice("cpu", "int8", "test")

    def __init__(self, script: dict[tuple[int, float], tuple[str, float, float]]):
        self.script = script  # (chunk, temperature) -> (text, avg_logprob, no_speech_prob)
        self.calls: list[tuple[int, float, str | None]] = []

    def features(self, audio: np.ndarray, frames: int = 3000) -> np.ndarray:
        return audio[:1]

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        results = []
        for chunk in chunks:
            index = int(chunk.features[0])
            self.calls.append((index, options.temperature, options.language))
            text, logprob, no_speech = self.script.get(
                (index, options.temperature), self.script.get((index, -1.0), ("", -5.0, 0.0))
            )
            segment = Segment(0, 0, 0.0, chunk.seconds, text, temperature=options.temperature)
            language = options.language or "ko"
            scores = (logprob, no_speech, 1.1, options.temperature, language, 0.9)
            results.append(ChunkResult((segment,), text, *scores))
        return results


def windows(chunk_count: int) -> Iterator[tuple[int, np.ndarray]]:
    """``chunk_count`` windows of 30 s (one chunk each without VAD); window i is filled with i."""
    for i in range(chunk_count):
        yield i * 30 * SAMPLE_RATE, np.full(30 * SAMPLE_RATE, float(i), np.float32)


@pytest.fixture
def batcher() -> Iterator[Batcher]:
    made = Batcher(BatchSettings(max_batch=4, wait_ms=0, owner_cap=4))
    yield made
    made.shutdown()


def run(backend: ScriptedBackend, batcher: Batcher, chunks: int) -> tuple[list[Segment], str]:
    decoding = Decoding(backend, batcher.owner(), NO_VAD)
    segments, info = transcribe_windows(decoding, windows(chunks), chunks * 30.0)
    return list(segments), info.language


def test_a_failing_chunk_is_decoded_again_at_the_next_temperature(batcher: Batcher) -> None:
    backend = ScriptedBackend({
        (0, 0.0): (" 첫째", -0.2, 0.0),
        (1, 0.0): (" 틀림", -1.5, 0.0),  # too unlikely: fall back
        (1, 0.2): (" 둘째", -0.4, 0.0),
        (2, -1.0): (" 셋째", -0.1, 0.0),
    })  # fmt: skip
    segments, language = run(backend, batcher, 3)
    assert [s.text for s in segments] == [" 첫째", " 둘째", " 셋째"]
    assert [s.start for s in segments] == [0.0, 30.0, 60.0]
    assert [s.id for s in segments] == [0, 1, 2]
    assert (1, 0.2, "ko") in backend.calls and (0, 0.2, "ko") not in backend.calls
    assert backend.calls[0] == (0, 0.0, None)  # the language is detected on the first chunk
    assert all(lang == "ko" for _, _, lang in backend.calls[1:])
    assert language == "ko"


def test_when_every_temperature_fails_the_likeliest_try_is_kept(batcher: Batcher) -> None:
    script = {(0, t): (f" t{t}", -3.0 + t, 0.0) for t in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)}
    backend = ScriptedBackend(script)
    segments, _ = run(backend, batcher, 1)
    assert [s.text for s in segments] == [" t1.0"]  # -2.0 is the best of the failing tries
    assert len(backend.calls) == 6


def test_a_chunk_the_model_calls_silence_is_dropped(batcher: Batcher) -> None:
    backend = ScriptedBackend({
        (0, -1.0): (" 말", -0.3, 0.1),
        (1, -1.0): (" 시청해주셔서 감사합니다", -1.4, 0.9),  # silent and unlikely
    })  # fmt: skip
    segments, _ = run(backend, batcher, 2)
    assert [s.text for s in segments] == [" 말"]
    assert len(backend.calls) == 2  # silence is not retried at higher temperatures


def test_the_fallback_test_matches_whisper() -> None:
    options = TranscribeOptions()

    def result(ratio: float, logprob: float, no_speech: float) -> ChunkResult:
        return ChunkResult((), "", logprob, no_speech, ratio, 0.0, "ko", 1.0)

    assert not needs_fallback(result(1.5, -0.5, 0.1), options)
    assert needs_fallback(result(2.6, -0.5, 0.1), options)  # repetitive
    assert needs_fallback(result(1.5, -1.2, 0.1), options)  # unlikely
    assert not needs_fallback(result(1.5, -1.2, 0.8), options)  # silence
