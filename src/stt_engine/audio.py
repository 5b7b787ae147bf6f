"""Decode any container or codec FFmpeg reads into 16 kHz mono float32 samples.

Limits are checked before decoding where the container states its duration, and again while
decoding, so an oversize file is refused without filling memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    import av

    limits = limits or AudioLimits()
    path = Path(source)
    _check_file(path, limits)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise AudioError(
            f"{path.name}: not a readable audio or video file ({_reason(exc)})",
            hint="send wav, flac, mp3, m4a, ogg/opus, webm or a video file with sound",
        ) from exc
    with container:
        if not container.streams.audio:
            raise AudioError(f"{path.name}: the file has no audio stream")
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and limits.max_seconds and declared > limits.max_seconds:
            raise _too_long(path, declared, limits.max_seconds)
        samples = _decode_stream(container, stream, path, declared, limits)
    if samples.size == 0:
        raise AudioError(f"{path.name}: the file holds no audio (zero duration)")
    if declared and samples.size / SAMPLE_RATE < declared * _TRUNCATION_RATIO - 1.0:
        raise AudioError(
            f"{path.name}: truncated: decoded {samples.size / SAMPLE_RATE:.1f} s of a declared "
            f"{declared:.1f} s",
            hint="the upload or copy was cut off; send the whole file",
        )
    return samples


def _check_file(path: Path, limits: AudioLimits) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size == 0:
        raise AudioError(f"{path.name}: the file is empty (0 bytes)")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise AudioTooLargeError(
            f"{path.name}: {size / 1e6:.1f} MB is over the {limits.max_bytes / 1e6:.1f} MB limit"
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
    container: object, stream: object, path: Path, declared: float | None, limits: AudioLimits
) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    buffer = _Buffer(int((declared or 60.0) * SAMPLE_RATE) + SAMPLE_RATE)
    max_samples = int(limits.max_seconds * SAMPLE_RATE) if limits.max_seconds else None
    try:
        for frame in container.decode(stream):  # type: ignore[attr-defined]
            frame.pts = None  # let the resampler follow the samples, not broken timestamps
            for out in resampler.resample(frame):
                buffer.append(out.to_ndarray()[0])
            if max_samples is not None and buffer.size > max_samples:
                raise _too_long(path, buffer.size / SAMPLE_RATE, limits.max_seconds or 0)
        for out in resampler.resample(None):
            buffer.append(out.to_ndarray()[0])
    except av.FFmpegError as exc:
        if buffer.size == 0:
            raise AudioError(f"{path.name}: cannot decode audio ({_reason(exc)})") from exc
        raise AudioError(
            f"{path.name}: truncated or corrupt after {buffer.size / SAMPLE_RATE:.1f} s "
            f"({_reason(exc)})"
        ) from exc
    return buffer.result()


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


def _too_long(path: Path, seconds: float, limit: float) -> AudioTooLargeError:
    return AudioTooLargeError(
        f"{path.name}: {seconds:.0f} s of audio is over the {limit:.0f} s limit",
        hint="split the recording, or submit it as a job",
    )


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip()
