"""The engine: models, device and backend put together behind one small API."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, AudioLimits, decode_audio
from stt_engine.config import Settings
from stt_engine.engine.backend import Backend, DeviceChoice, TranscribeOptions
from stt_engine.engine.device import choose_device
from stt_engine.engine.guards import guard_segments
from stt_engine.engine.pool import BackendFactory, ModelPool
from stt_engine.engine.windows import window_bounds
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
        audio: np.ndarray,
        options: TranscribeOptions | None = None,
        model: str | None = None,
    ) -> tuple[Iterator[Segment], TranscriptionInfo]:
        """Lazily transcribe decoded 16 kHz audio; the model stays held while iterating."""
        options = options or TranscribeOptions()
        info = self.registry.resolve(model)
        holder = self.pool.acquire(info.name, info.path)
        backend = holder.__enter__()
        try:
            _check_task(backend, options)
            segments, summary = _windowed(backend, audio, options)
        except BaseException:
            holder.__exit__(None, None, None)
            raise

        def release() -> None:
            holder.__exit__(None, None, None)

        return HeldSegments(segments, release), summary

    def transcribe_all(
        self,
        audio: np.ndarray,
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
        if progress is not None:
            progress(info.duration)
        return Transcript(info=info, segments=tuple(collected))


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


def _windowed(
    backend: Backend, audio: np.ndarray, options: TranscribeOptions
) -> tuple[Iterator[Segment], TranscriptionInfo]:
    bounds = window_bounds(audio)
    first_segments, first_info = backend.transcribe(audio[bounds[0][0] : bounds[0][1]], options)
    info = replace(first_info, duration=audio.size / SAMPLE_RATE)
    if len(bounds) > 1:
        info = replace(info, duration_after_vad=info.duration)
    pinned = replace(options, language=options.language or first_info.language)

    def all_windows() -> Iterator[Segment]:
        yield from first_segments
        for start, end in bounds[1:]:
            offset = start / SAMPLE_RATE
            segments, _ = backend.transcribe(audio[start:end], pinned)
            for segment in segments:
                yield _shift(segment, offset)

    threshold = options.compression_ratio_threshold
    raw = all_windows()
    guarded = guard_segments(raw, audio, threshold) if options.filter_hallucinations else raw
    return _renumber(guarded), info


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
