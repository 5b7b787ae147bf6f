"""The faster-whisper (CTranslate2) backend: the only module that imports faster_whisper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.engine.backend import DeviceChoice, TranscribeOptions
from stt_engine.errors import ModelInvalidError
from stt_engine.transcript import Segment, TranscriptionInfo, Word


class WhisperCT2Backend:
    """A Whisper model loaded through faster-whisper on one device."""

    def __init__(self, path: Path, device: DeviceChoice, *, num_workers: int = 1):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        try:
            self._model = WhisperModel(
                str(path),
                device=device.device,
                device_index=device.device_index,
                compute_type=device.compute_type,
                cpu_threads=device.cpu_threads,
                num_workers=num_workers,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelInvalidError(f"cannot load model from {path}: {exc}") from exc
        self._batched = BatchedInferencePipeline(self._model)
        self._device = device

    @property
    def device(self) -> DeviceChoice:
        return self._device

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def transcribe(
        self, audio: np.ndarray, options: TranscribeOptions
    ) -> tuple[Iterator[Segment], TranscriptionInfo]:
        kwargs = decode_kwargs(options)
        if options.batch_size > 0:
            for unused in ("condition_on_previous_text", "hallucination_silence_threshold"):
                kwargs.pop(unused, None)
            segments, info = self._batched.transcribe(
                audio, batch_size=options.batch_size, **kwargs
            )
        else:
            segments, info = self._model.transcribe(audio, **kwargs)
        summary = TranscriptionInfo(
            language=info.language,
            language_probability=float(info.language_probability),
            duration=float(info.duration),
            duration_after_vad=float(info.duration_after_vad),
            task=options.task,
        )
        return (_convert(s) for s in segments), summary


def decode_kwargs(options: TranscribeOptions) -> dict[str, Any]:
    """faster-whisper keyword arguments for the options (shared with the raw benchmark)."""
    kwargs: dict[str, Any] = {
        "language": options.language,
        "task": options.task,
        "beam_size": options.beam_size,
        "best_of": options.best_of,
        "temperature": list(options.temperature),
        "initial_prompt": options.initial_prompt,
        "hotwords": options.hotwords,
        "word_timestamps": options.word_timestamps,
        "vad_filter": options.vad_filter,
        "condition_on_previous_text": options.condition_on_previous_text,
        "compression_ratio_threshold": options.compression_ratio_threshold,
        "log_prob_threshold": options.log_prob_threshold,
        "no_speech_threshold": options.no_speech_threshold,
        "hallucination_silence_threshold": options.hallucination_silence_threshold,
        "repetition_penalty": options.repetition_penalty,
        "no_repeat_ngram_size": options.no_repeat_ngram_size,
    }
    if options.vad_filter:
        kwargs["vad_parameters"] = {"min_silence_duration_ms": options.vad_min_silence_ms}
    return kwargs


def _convert(segment: Any) -> Segment:
    words = None
    if segment.words is not None:
        words = tuple(
            Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in segment.words
        )
    return Segment(
        id=int(segment.id),
        seek=int(segment.seek),
        start=float(segment.start),
        end=float(segment.end),
        text=segment.text,
        tokens=tuple(segment.tokens),
        temperature=float(segment.temperature or 0.0),
        avg_logprob=float(segment.avg_logprob),
        compression_ratio=float(segment.compression_ratio),
        no_speech_prob=float(segment.no_speech_prob),
        words=words,
    )
