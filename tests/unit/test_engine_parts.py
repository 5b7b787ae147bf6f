"""Options validation, device choice without a GPU, guards and long-audio windows."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE
from stt_engine.config import Settings
from stt_engine.engine.contract import (
    DecodeOptions,
    TranscribeOptions,
    fallback_penalties,
    fitted_frames,
)
from stt_engine.engine.device import CudaProbe, choose_device, pip_library_dirs
from stt_engine.engine.guards import collapse_loops, guard_segments, is_stock_phrase
from stt_engine.engine.kinds import kind_for
from stt_engine.engine.windows import window_bounds
from stt_engine.errors import DeviceError, InvalidRequestError
from stt_engine.models.layout import CTRANSLATE2
from stt_engine.transcript import Segment, TranscriptionInfo


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"task": "summarise"}, "task"),
        ({"beam_size": 0}, "beam_size"),
        ({"temperature": (1.5,)}, "temperature"),
        ({"temperature": ()}, "temperature"),
        ({"language": "korean!"}, "language"),
        ({"batch_size": -1}, "batch_size"),
    ],
)
def test_bad_options_are_refused_up_front(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        TranscribeOptions(**kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param


def test_defaults_carry_the_guards() -> None:
    options = TranscribeOptions()
    assert options.vad_filter and not options.condition_on_previous_text
    assert options.compression_ratio_threshold == 2.4 and options.no_speech_threshold == 0.6
    assert TranscribeOptions.from_temperature(0.5).temperature == (0.6, 0.8, 1.0)
    assert TranscribeOptions.from_temperature(0).temperature[0] == 0.0


def _probe(count: int, lib_dir: Path | None = None) -> CudaProbe:
    return CudaProbe(lambda: count, lambda: [lib_dir] if lib_dir else [], lambda i: "Test GPU")


def test_no_gpu_falls_back_to_cpu_with_reason() -> None:
    choice = choose_device(Settings(device="auto", cpu_threads=2), _probe(0))
    assert choice.device == "cpu" and choice.compute_type == "int8"
    assert choice.log_line() == (
        "Device: cpu (int8, 2 threads) - no CUDA device visible to CTranslate2"
    )


def test_real_probe_agrees_with_ctranslate2() -> None:
    """On any machine: CUDA only when CTranslate2 sees a device, and always a reason."""
    import ctranslate2

    choice = choose_device(Settings(device="auto"), kind_for(CTRANSLATE2).probe())
    assert choice.reason
    if ctranslate2.get_cuda_device_count() == 0:
        assert choice.device == "cpu"


def test_broken_cuda_libraries_fall_back_or_refuse(tmp_path: Path) -> None:
    libs = tmp_path / "nvidia" / "cublas" / "lib"
    libs.mkdir(parents=True)
    for name in ("libcublasLt.so.12", "libcublas.so.12"):
        (libs / name).write_bytes(b"not a shared object")
    assert pip_library_dirs([str(tmp_path)]) == [libs]
    choice = choose_device(Settings(device="auto"), _probe(1, libs))
    assert choice.device == "cpu" and "libcublasLt.so.12 could not be loaded" in choice.reason
    with pytest.raises(DeviceError, match="device=cuda was asked for but libcublasLt"):
        choose_device(Settings(device="cuda"), _probe(1, libs))


def test_driver_failure_is_a_reason_not_a_crash() -> None:
    def broken() -> int:
        raise RuntimeError("CUDA driver version is insufficient")

    probe = CudaProbe(broken, lambda: [], lambda i: "")
    choice = choose_device(Settings(device="auto"), probe)
    assert choice.device == "cpu" and "driver version is insufficient" in choice.reason


def _segment(i: int, text: str, start: float, end: float, **kw: float) -> Segment:
    return Segment(id=i, seek=0, start=start, end=end, text=text, **kw)  # type: ignore[arg-type]


def test_stock_phrases_are_recognised() -> None:
    assert is_stock_phrase(" 시청해주셔서 감사합니다.")
    assert is_stock_phrase("MBC 뉴스 이덕영입니다.")
    assert is_stock_phrase("Thanks for watching!")
    assert not is_stock_phrase("감사합니다 여러분 오늘 회의를 시작하겠습니다")


def test_hallucinated_phrase_over_silence_is_dropped_but_spoken_text_kept() -> None:
    audio = np.zeros(10 * SAMPLE_RATE, dtype=np.float32)
    audio[: 4 * SAMPLE_RATE] = 0.2 * np.sin(np.arange(4 * SAMPLE_RATE) / 5.0)
    segments = [
        _segment(0, " 안녕하세요 회의를 시작합니다.", 0.0, 2.0),
        _segment(1, " 시청해주셔서 감사합니다.", 2.0, 4.0),  # loud audio: kept
        _segment(2, " 시청해주셔서 감사합니다.", 6.0, 9.0),  # silence: dropped
    ]
    kept = list(guard_segments(segments, audio, 2.4))
    assert [s.text for s in kept] == [segments[0].text, segments[1].text]
    assert [s.id for s in kept] == [0, 1]


def test_repetition_loops_collapse_only_in_suspicious_segments() -> None:
    assert collapse_loops("네 네 네 네 네 알겠습니다") == "네 알겠습니다"
    looping = _segment(
        0, " 감사합니다 감사합니다 감사합니다 감사합니다 감사합니다", 0, 5, compression_ratio=3.1
    )
    normal = _segment(1, " 네 네 네 네 좋아요", 5, 6, compression_ratio=1.2)
    audio = np.full(7 * SAMPLE_RATE, 0.1, dtype=np.float32)
    kept = list(guard_segments([looping, normal], audio, 2.4))
    assert kept[0].text.strip() == "감사합니다" and kept[1].text == normal.text


def test_third_identical_segment_in_a_row_is_dropped() -> None:
    audio = np.full(10 * SAMPLE_RATE, 0.1, dtype=np.float32)
    same = [_segment(i, " 다음 주에 봐요", i, i + 1) for i in range(4)]
    assert len(list(guard_segments(same, audio, 2.4))) == 2


def test_windows_cover_everything_and_cut_in_silence() -> None:
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(25 * 60 * SAMPLE_RATE)).astype(np.float32)
    quiet = 595 * SAMPLE_RATE
    audio[quiet : quiet + SAMPLE_RATE] = 0.0
    bounds = window_bounds(audio, window_seconds=600)
    assert bounds[0][0] == 0 and bounds[-1][1] == audio.size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(end - start <= 600 * SAMPLE_RATE for start, end in bounds)
    assert quiet <= bounds[0][1] <= quiet + SAMPLE_RATE
    assert window_bounds(audio[: 60 * SAMPLE_RATE]) == [(0, 60 * SAMPLE_RATE)]


def test_unstarted_segments_release_the_model_on_close() -> None:
    from stt_engine.engine.prepared import Transcription, collect

    info = TranscriptionInfo("en", 1.0, 1.0, 1.0)
    released: list[bool] = []
    segments = Transcription(iter([_segment(0, "a", 0, 1)]), info, lambda: released.append(True))
    segments.close()
    segments.close()
    assert released == [True] and list(segments) == []
    exhausted = Transcription(iter([_segment(0, "a", 0, 1)]), info, lambda: released.append(True))
    assert [s.text for s in exhausted] == ["a"] and released == [True, True]
    collected = collect(
        Transcription(iter([_segment(0, "b", 0, 1)]), info, lambda: released.append(True))
    )
    assert collected.text == "b" and collected.info == info and released == [True] * 3


def test_a_consumer_that_stops_releases_the_model() -> None:
    from stt_engine.engine.prepared import Transcription, collect

    info = TranscriptionInfo("en", 1.0, 2.0, 2.0)
    released: list[bool] = []
    pieces = iter([_segment(0, "a", 0, 1), _segment(1, "b", 1, 2)])
    seen: list[str] = []

    def stop_after_one(segment: Segment) -> None:
        seen.append(segment.text)
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        collect(Transcription(pieces, info, lambda: released.append(True)), stop_after_one)
    assert seen == ["a"] and released == [True]


def test_streamed_windows_cut_where_whole_audio_windows_cut() -> None:
    from stt_engine.engine.windows import stream_windows

    rng = np.random.default_rng(1)
    audio = (0.1 * rng.standard_normal(13 * 60 * SAMPLE_RATE)).astype(np.float32)
    for quiet_second in (290, 575):
        audio[quiet_second * SAMPLE_RATE : (quiet_second + 1) * SAMPLE_RATE] = 0.0
    sizes = rng.integers(500, 40_000, size=2_000)
    chunks, position = [], 0
    for size in sizes:
        if position >= audio.size:
            break
        chunks.append(audio[position : position + int(size)])
        position += int(size)
    chunks.append(audio[position:])
    streamed = [(start, window.size) for start, window in stream_windows(iter(chunks), 300)]
    expected = [(start, end - start) for start, end in window_bounds(audio, 300)]
    assert streamed == expected and len(expected) == 3


@pytest.mark.parametrize(
    ("seconds", "window"),
    [(0.5, 10), (6.0, 10), (7.0, 15), (9.3, 15), (12.0, 20), (16.0, 25), (19.4, 30), (30.0, 30)],
)
def test_a_fitted_window_leaves_room_after_the_speech(seconds: float, window: int) -> None:
    assert fitted_frames(seconds) == window * 100


def test_fallback_steps_are_beam_searches_with_rising_penalties() -> None:
    assert fallback_penalties(0.0, 1.0, 0) == (1.0, 0)
    assert fallback_penalties(0.2, 1.0, 0) == (1.1, 0)
    assert fallback_penalties(0.4, 1.0, 0) == (1.2, 8)
    assert fallback_penalties(1.0, 1.0, 0) == (1.5, 5)
    # never weaker than what the request asked for
    assert fallback_penalties(0.2, 1.3, 3) == (1.3, 3)
    assert fallback_penalties(0.6, 1.0, 4) == (1.3, 4)
    request = TranscribeOptions(repetition_penalty=1.05)
    steps = [DecodeOptions.for_request(request, "ko", i) for i in range(len(request.temperature))]
    assert [s.temperature for s in steps] == list(request.temperature)
    assert steps[0].repetition_penalty == 1.05 and steps[0].no_repeat_ngram_size == 0
    penalties = [s.repetition_penalty for s in steps]
    assert penalties == sorted(penalties) and all(s.beam_size == 5 for s in steps)
