"""Speech chunks and Whisper timestamp tokens: the engine's own, backend-neutral parts."""

from __future__ import annotations

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.tokens import compression_ratio, split_by_timestamps
from stt_engine.engine.vad import SpeechChunk, VadSettings, speech_chunks
from stt_engine.transcript import Segment, Word

TS = 1000  # the first timestamp token in these examples
EOT = 999


def ts(seconds: float) -> int:
    return TS + round(seconds / 0.02)


def test_timestamp_tokens_become_timed_pieces() -> None:
    tokens = [ts(0.0), 1, 2, ts(2.4), ts(2.4), 3, ts(5.1), EOT]
    pieces = split_by_timestamps(tokens, TS, EOT, 6.0)
    assert [(p.start, p.end, p.tokens) for p in pieces] == [
        (0.0, 2.4, (1, 2)),
        (2.4, pytest.approx(5.1), (3,)),
    ]


def test_text_after_the_last_timestamp_is_kept_to_the_chunk_end() -> None:
    pieces = split_by_timestamps([ts(0.0), 1, ts(1.0), ts(1.0), 2, 3], TS, EOT, 4.0)
    assert [(p.start, p.end, p.tokens) for p in pieces] == [(0.0, 1.0, (1,)), (1.0, 4.0, (2, 3))]


def test_timestamps_past_the_chunk_are_clamped() -> None:
    pieces = split_by_timestamps([ts(0.0), 1, ts(29.0)], TS, EOT, 3.0)
    assert (pieces[0].start, pieces[0].end) == (0.0, 3.0)


def test_compression_ratio_grows_with_repetition() -> None:
    assert compression_ratio("") == 0.0
    assert compression_ratio("가나다라 " * 40) > 2.4 > compression_ratio("아이들은 보통 다섯 개")


def test_a_chunk_maps_its_time_back_to_the_window() -> None:
    second = SAMPLE_RATE
    chunk = SpeechChunk(
        np.zeros(5 * second, np.float32), ((2 * second, 4 * second), (10 * second, 13 * second))
    )
    assert chunk.window_time(0.5) == 2.5
    assert chunk.window_time(2.5) == 10.5  # in the second region
    assert chunk.window_time(2.0, end=True) == 4.0  # the end of the first region
    moved = chunk.to_window(Segment(0, 0, 1.0, 3.0, " text"))
    assert (moved.start, moved.end) == (3.0, 11.0)
    words = (Word(" a", 0.2, 0.6), Word(" b", 2.1, 2.9))
    timed = chunk.to_window(Segment(0, 0, 0.2, 2.9, " a b", words=words))
    assert [(w.start, w.end) for w in timed.words or ()] == [(2.2, 2.6), (10.1, 10.9)]
    assert (timed.start, timed.end) == (2.2, 10.9)


def test_without_vad_a_long_window_is_cut_into_chunks_of_at_most_30_seconds() -> None:
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(75 * SAMPLE_RATE)).astype(np.float32)
    audio[28 * SAMPLE_RATE : 29 * SAMPLE_RATE] = 0.0  # a quiet second to cut in
    chunks = speech_chunks(audio, None)
    assert sum(c.audio.size for c in chunks) == audio.size
    assert all(c.seconds <= 30.0 for c in chunks) and len(chunks) == 3
    assert 28 * SAMPLE_RATE < chunks[0].spans[0][1] < 29 * SAMPLE_RATE  # cut in the quiet


def test_vad_finds_no_chunk_in_silence() -> None:
    assert speech_chunks(np.zeros(10 * SAMPLE_RATE, np.float32), VadSettings()) == []
    assert speech_chunks(np.zeros(0, np.float32), VadSettings()) == []
