"""Decode any container or codec FFmpeg reads into 16 kHz mono float32 samples.

Limits are checked before decoding where the container states its duration, and again while
decoding, so an oversize file is refused without filling memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.errors import AudioError, AudioTooLargeError

SAMPLE_RATE = 16_000
# A decoded file shorter than this share of its declared duration was cut off.
_TRUNCATION_RATIO = 0.9


@dataclass(frozen=True, slots=True)
class AudioLimits:
    max_bytes: int | None = None
    max_seconds: float | None = None


def decode_audio(source: str | Path, limits: AudioLimits | None = None) -> np.ndarray:
    """Samples of the first audio stream of a file, as 16 kHz mono float32."""
    stream = AudioStream(source, limits)
    buffer = _Buffer(int((stream.declared or 60.0) * SAMPLE_RATE) + SAMPLE_RATE)
    for chunk in stream:
        buffer.append(chunk)
    return buffer.result()


def decode_channels(source: str | Path, limits: AudioLimits | None = None) -> np.ndarray:
    """Samples of the first audio stream as 16 kHz float32, one row per channel."""
    import av

    stream = AudioStream(source, limits)
    with av.open(str(stream.path), metadata_errors="ignore") as container:
        audio = container.streams.audio[0]
        count = max(int(audio.codec_context.channels or 1), 1)
        layout = {1: "mono", 2: "stereo"}.get(count, "stereo")
        rows = [np.atleast_2d(r) for r in _decode_stream(container, audio, stream, layout)]
    if not rows:
        raise AudioError(f"{stream.name}: the file holds no audio (zero duration)")
    return np.concatenate(rows, axis=1)


class AudioStream:
    """A file's samples as 16 kHz mono float32 chunks, decoded while iterated.

    Opening checks the file (size, container, an audio stream, the declared duration);
    iterating checks the decoded length against the limit and, at the end, against zero and
    against the declared duration (a truncated file raises after its last chunk).
    """

    def __init__(
        self, source: str | Path, limits: AudioLimits | None = None, name: str | None = None
    ):
        import av

        self.path = Path(source)
        self.name = display_name(name) if name else self.path.name  # in every message
        self.limits = limits or AudioLimits()
        self.decoded_seconds: float | None = None  # known once iterated to the end
        _check_file(self.path, self.limits, self.name)
        try:
            with av.open(str(self.path), metadata_errors="ignore") as container:
                if not container.streams.audio:
                    raise AudioError(f"{self.name}: the file has no audio stream")
                audio = container.streams.audio[0]
                self.declared = _declared_seconds(container, audio)
        except av.FFmpegError as exc:
            raise AudioError(
                f"{self.name}: not a readable audio or video file ({_reason(exc)})",
                hint="send wav, flac, mp3, m4a, ogg/opus, webm or a video file with sound",
            ) from exc
        limit = self.limits.max_seconds
        if self.declared is not None and limit and self.declared > limit:
            raise _too_long(self.name, self.declared, limit)

    def __iter__(self) -> Iterator[np.ndarray]:
        import av

        decoded = 0
        with av.open(str(self.path), metadata_errors="ignore") as container:
            for chunk in _decode_stream(container, container.streams.audio[0], self):
                decoded += chunk.size
                yield chunk
        seconds = decoded / SAMPLE_RATE
        self.decoded_seconds = seconds
        if decoded == 0:
            raise AudioError(f"{self.name}: the file holds no audio (zero duration)")
        if self.declared and seconds < self.declared * _TRUNCATION_RATIO - 1.0:
            raise AudioError(
                f"{self.name}: truncated: decoded {seconds:.1f} s of a declared "
                f"{self.declared:.1f} s",
                hint="the upload or copy was cut off; send the whole file",
            )


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """Mono float samples in [-1, 1] as a 16-bit PCM WAV file."""
    import io
    import wave

    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def probe_seconds(path: str | Path) -> float:
    """The duration a file declares in its header; 0 when it declares none or is unreadable."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if container.duration:
                return float(container.duration) / 1_000_000  # AV_TIME_BASE
    except (av.FFmpegError, OSError, ValueError):
        return 0.0
    return 0.0


def display_name(name: str) -> str:
    """A client's file name as messages show it: one line, no control characters, bounded."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in Path(name.replace("\\", "/")).name)
    return (cleaned[:120] + "...") if len(cleaned) > 120 else (cleaned or "upload")


def _check_file(path: Path, limits: AudioLimits, name: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise AudioError(f"{name}: the file is empty (0 bytes)")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise AudioTooLargeError(
            f"{name}: {size / 1e6:.1f} MB is over the {limits.max_bytes / 1e6:.1f} MB limit"
        )


def _declared_seconds(container: object, stream: object) -> float | None:
    duration = getattr(stream, "duration", None)
    time_base = getattr(stream, "time_base", None)
    if duration and time_base:
        return float(duration * time_base)
    container_duration = getattr(container, "duration", None)
    if container_duration:
        return float(container_duration) / 1_000_000  # AV_TIME_BASE
    return None


def _decode_stream(
    container: Any, audio: Any, source: AudioStream, layout: str = "mono"
) -> Iterator[np.ndarray]:
    """Resampled chunks: 1-d for mono; (channels, samples) when ``layout`` is not mono."""
    import av

    name, limits = source.name, source.limits
    resampler = av.AudioResampler(
        format="fltp" if layout != "mono" else "flt", layout=layout, rate=SAMPLE_RATE
    )
    max_samples = int(limits.max_seconds * SAMPLE_RATE) if limits.max_seconds else None
    decoded = 0
    try:
        for frame in container.decode(audio):
            frame.pts = None  # let the resampler follow the samples, not broken timestamps
            for out in resampler.resample(frame):
                decoded += out.samples
                yield _samples(out, layout)
            if max_samples is not None and decoded > max_samples:
                raise _too_long(name, decoded / SAMPLE_RATE, limits.max_seconds or 0)
        for out in resampler.resample(None):
            yield _samples(out, layout)
    except av.FFmpegError as exc:
        if decoded == 0:
            raise AudioError(f"{name}: cannot decode audio ({_reason(exc)})") from exc
        raise AudioError(
            f"{name}: truncated or corrupt after {decoded / SAMPLE_RATE:.1f} s ({_reason(exc)})"
        ) from exc


def _samples(frame: Any, layout: str) -> np.ndarray:
    array: np.ndarray = frame.to_ndarray()
    return array[0] if layout == "mono" else array


class _Buffer:
    """A growable float32 array that avoids holding decoded audio twice."""

    def __init__(self, capacity: int):
        self._data = np.empty(max(capacity, SAMPLE_RATE), dtype=np.float32)
        self.size = 0

    def append(self, chunk: np.ndarray) -> None:
        end = self.size + chunk.size
        if end > self._data.size:
            grown = np.empty(max(end, int(self._data.size * 1.5)), dtype=np.float32)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = chunk
        self.size = end

    def result(self) -> np.ndarray:
        """The samples; a view when little is unused, so hours of audio are never copied."""
        unused = self._data.size - self.size
        if unused <= max(self._data.size // 20, SAMPLE_RATE * 2):
            return self._data[: self.size]
        trimmed = self._data[: self.size].copy()
        self._data = np.empty(0, dtype=np.float32)
        return trimmed


def _too_long(name: str, seconds: float, limit: float) -> AudioTooLargeError:
    return AudioTooLargeError(
        f"{name}: {seconds:.0f} s of audio is over the {limit:.0f} s limit",
        hint="split the recording, or submit it as a job",
    )


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip()
