"""The engine: models, device and backend put together behind one small API."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, AudioLimits, AudioStream, decode_audio
from stt_engine.config import Settings
from stt_engine.engine.backend import Backend, DeviceChoice, TranscribeOptions
from stt_engine.engine.device import choose_device
from stt_engine.engine.guards import guard_segments
from stt_engine.engine.pool import BackendFactory, ModelPool
from stt_engine.engine.windows import stream_windows, window_bounds
from stt_engine.errors import InvalidRequestError
from stt_engine.models import ModelInfo, ModelRegistry
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo

log = logging.getLogger(__name__)


def _ct2_factory(settings: Settings) -> BackendFactory:
    def load(path: Path, device: DeviceChoice) -> Backend:
        from stt_engine.engine.whisper_ct2 import WhisperCT2Backend

        return WhisperCT2Backend(path, device, num_workers=settings.workers)

    return load


class Engine:
    """Transcribes audio with models resolved from the settings."""

    def __init__(self, settings: Settings, factory: BackendFactory | None = None):
        self.settings = settings
        self.registry = ModelRegistry(settings)
        self._factory = factory or _ct2_factory(settings)

    @cached_property
    def device(self) -> DeviceChoice:
        choice = choose_device(self.settings)
        log.info(choice.log_line())
        return choice

    @cached_property
    def pool(self) -> ModelPool:
        return ModelPool(
            self._factory,
            self.device,
            max_loaded=self.settings.max_loaded_models,
            ttl_seconds=self.settings.model_ttl_seconds,
            pinned=self.registry.canonical(None),
        )

    def load(self, model: str | None = None) -> ModelInfo:
        """Resolve and load a model now (the server does this for the default at start)."""
        info = self.registry.resolve(model)
        with self.pool.acquire(info.name, info.path):
            pass
        return info

    def limits(self) -> AudioLimits:
        return AudioLimits(self.settings.max_upload_bytes, self.settings.max_audio_seconds)

    def decode(self, path: str | Path) -> np.ndarray:
        return decode_audio(path, self.limits())

    def transcribe(
        self,
        audio: np.ndarray | AudioStream,
        options: TranscribeOptions | None = None,
        model: str | None = None,
    ) -> tuple[Iterator[Segment], TranscriptionInfo]:
        """Lazily transcribe 16 kHz audio; the model stays held while iterating.

        ``audio`` is decoded samples, or an ``AudioStream`` that is decoded window by window
        while the segments are read (memory then stays flat with the recording's length).
        """
        options = options or TranscribeOptions()
        info = self.registry.resolve(model)
        holder = self.pool.acquire(info.name, info.path)
        backend = holder.__enter__()
        try:
            _check_task(backend, options)
            segments, summary = _windowed(backend, _windows(audio), _seconds(audio), options)
        except BaseException:
            holder.__exit__(None, None, None)
            raise

        def release() -> None:
            holder.__exit__(None, None, None)

        return HeldSegments(segments, release), summary

    def transcribe_all(
        self,
        audio: np.ndarray | AudioStream,
        options: TranscribeOptions | None = None,
        model: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """The whole transcript; ``progress`` gets the audio seconds done after each segment."""
        segments, info = self.transcribe(audio, options, model)
        collected: list[Segment] = []
        for segment in segments:
            collected.append(segment)
            if progress is not None:
                progress(min(segment.end, info.duration))
        if isinstance(audio, AudioStream) and audio.decoded_seconds is not None:
            info = replace(info, duration=audio.decoded_seconds)
        if progress is not None:
            progress(info.duration)
        return Transcript(info=info, segments=tuple(collected))

    def transcribe_file(
        self,
        path: str | Path,
        options: TranscribeOptions | None = None,
        model: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """A whole file's transcript, decoding it window by window as the model goes."""
        return self.transcribe_all(AudioStream(path, self.limits()), options, model, progress)


class HeldSegments(Iterator[Segment]):
    """Segments that keep their model held until exhausted, closed or garbage-collected.

    A plain generator that is never started never runs its ``finally``; this iterator
    releases the model on exhaustion, on an error while iterating, on ``close()`` and, as a
    last resort, when it is collected.
    """

    def __init__(self, segments: Iterator[Segment], release: Callable[[], None]):
        self._segments = segments
        self._release: Callable[[], None] | None = release

    def __next__(self) -> Segment:
        if self._release is None:
            raise StopIteration
        try:
            return next(self._segments)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            close = getattr(self._segments, "close", None)
            if close is not None:
                close()
            release()

    def __del__(self) -> None:
        self.close()


def _check_task(backend: Backend, options: TranscribeOptions) -> None:
    if backend.multilingual:
        return
    if options.task == "translate":
        raise InvalidRequestError("this model is English-only and cannot translate", param="model")
    if options.language not in (None, "en"):
        raise InvalidRequestError(
            f"this model is English-only; language '{options.language}' is not supported",
            param="language",
        )


def _windows(audio: np.ndarray | AudioStream) -> Iterator[tuple[int, np.ndarray]]:
    if isinstance(audio, AudioStream):
        return stream_windows(audio)
    return ((start, audio[start:end]) for start, end in window_bounds(audio))


def _seconds(audio: np.ndarray | AudioStream) -> float:
    if isinstance(audio, AudioStream):
        return audio.declared or 0.0
    return audio.size / SAMPLE_RATE


def _windowed(
    backend: Backend,
    windows: Iterator[tuple[int, np.ndarray]],
    duration: float,
    options: TranscribeOptions,
) -> tuple[Iterator[Segment], TranscriptionInfo]:
    """Transcribe the first window now (language, info), the others while iterating."""
    _, first_audio = next(windows)  # the first window starts at sample 0
    first_segments, first_info = backend.transcribe(first_audio, options)
    info = replace(first_info, duration=max(duration, first_audio.size / SAMPLE_RATE))
    if info.duration > first_audio.size / SAMPLE_RATE + 0.5:
        info = replace(info, duration_after_vad=info.duration)
    pinned = replace(options, language=options.language or first_info.language)

    def guarded(segments: Iterator[Segment], audio: np.ndarray) -> Iterator[Segment]:
        if not options.filter_hallucinations:
            return segments
        return guard_segments(segments, audio, options.compression_ratio_threshold)

    def all_windows() -> Iterator[Segment]:
        yield from guarded(first_segments, first_audio)
        for start, audio in windows:
            segments, _ = backend.transcribe(audio, pinned)
            offset = start / SAMPLE_RATE
            for segment in guarded(segments, audio):
                yield _shift(segment, offset)

    return _renumber(all_windows()), info


def _shift(segment: Segment, offset: float) -> Segment:
    words = None
    if segment.words is not None:
        words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in segment.words)
    return replace(
        segment,
        start=segment.start + offset,
        end=segment.end + offset,
        seek=segment.seek + round(offset * 100),
        words=words,
    )


def _renumber(segments: Iterator[Segment]) -> Iterator[Segment]:
    for index, segment in enumerate(segments):
        yield segment if segment.id == index else replace(segment, id=index)
