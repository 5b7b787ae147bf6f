"""Packing short chunks into one window and splitting the decoded window back."""

from __future__ import annotations

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.backend import ChunkResult
from stt_engine.engine.packing import GAP_SECONDS, Layout, fits, pack_audio, unpack
from stt_engine.transcript import Segment


def segment(start: float, end: float, text: str) -> Segment:
    return Segment(id=0, seek=0, start=start, end=end, text=text)


def window(*segments: Segment, no_speech: float = 0.2) -> ChunkResult:
    text = "".join(s.text for s in segments)
    return ChunkResult(segments, text, -0.3, no_speech, 1.2, 0.0, "ko", 1.0)


def test_layout_puts_a_second_of_silence_between_chunks() -> None:
    layout = Layout.of([4.0, 3.0, 5.0])
    assert layout.starts == (0.0, 5.0, 9.0)
    assert layout.total == pytest.approx(14.0)
    audio = pack_audio([np.ones(4 * SAMPLE_RATE), np.ones(3 * SAMPLE_RATE)])
    assert audio.size == (7 + GAP_SECONDS) * SAMPLE_RATE
    gap = audio[4 * SAMPLE_RATE : 5 * SAMPLE_RATE]
    assert not gap.any() and audio[: 4 * SAMPLE_RATE].all() and audio[5 * SAMPLE_RATE :].all()


def test_only_short_chunks_pack_and_the_window_has_room_to_spare() -> None:
    assert fits([], 5.0) and fits([5.0, 5.0], 5.0)
    assert not fits([10.0, 10.0], 5.0)  # 10 + 1 + 10 + 1 + 5 = 27 s: past 24
    assert not fits([], 20.0) and not fits([20.0], 1.0)  # long chunks go alone


def test_segments_go_back_to_their_chunk_timed_from_its_start() -> None:
    layout = Layout.of([4.0, 3.0])  # the second chunk starts at 5.0
    result = window(segment(0.0, 2.0, " 하나"), segment(2.0, 4.2, " 둘"), segment(5.1, 7.9, " 셋"))
    first, second = unpack(result, layout) or []
    assert [(s.start, s.end, s.text) for s in first.segments] == [
        (0.0, 2.0, " 하나"),
        (2.0, 4.0, " 둘"),  # clamped to the chunk's end
    ]
    assert [(s.start, s.end, s.text) for s in second.segments] == [(0.1, 2.9, " 셋")]
    assert first.text == " 하나 둘" and second.text == " 셋"
    assert first.no_speech_prob == 0.2 and second.no_speech_prob == 0.0
    assert first.avg_logprob == second.avg_logprob == -0.3


def test_a_segment_across_two_chunks_unpacks_the_window() -> None:
    layout = Layout.of([4.0, 3.0])
    assert unpack(window(segment(0.0, 7.0, " 하나 둘 셋")), layout) is None


def test_a_chunk_left_without_text_unpacks_the_window() -> None:
    layout = Layout.of([4.0, 3.0])
    assert unpack(window(segment(0.0, 4.0, " 하나 둘")), layout) is None


def test_text_timed_inside_a_gap_goes_to_the_nearest_chunk() -> None:
    layout = Layout.of([4.0, 3.0])  # the gap is 4.0-5.0
    result = window(
        segment(0.0, 3.9, " 하나"), segment(4.0, 4.3, " 둘"), segment(4.7, 4.9, " 셋"),
        segment(5.0, 8.0, " 넷"),
    )  # fmt: skip
    first, second = unpack(result, layout) or []
    assert first.text == " 하나 둘" and second.text == " 셋 넷"
    assert [(s.start, s.end) for s in first.segments] == [(0.0, 3.9), (4.0, 4.0)]
    assert (second.segments[0].start, second.segments[0].end) == (0.0, 0.0)
