"""The systems a benchmark runs: the engine, raw faster-whisper as the yardstick, and
servers reached over HTTP (``bench accuracy --url``).

``RawWhisper`` is the one place outside ``engine/whisper_ct2.py`` that imports faster_whisper,
on purpose: it measures the engine against the library itself. It loads the same model folder
on the same device, compute type and thread count as the engine, and decodes
sequentially (faster-whisper's own ``transcribe``, no batching) with ``decode_kwargs(options)``,
the same options the engine's request carries.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from stt_engine.engine import Engine
from stt_engine.engine.engine import batch_settings
from stt_engine.options import TranscribeOptions


@dataclass(frozen=True, slots=True)
class Hypothesis:
    text: str
    language: str


class System(Protocol):
    """Something that turns decoded audio into text."""

    name: str
    load_seconds: float

    def run(self, audio: np.ndarray, options: TranscribeOptions) -> Hypothesis: ...


class EngineSystem:
    """The engine as users call it: ``Engine.transcribe_all`` (windows, guards and all)."""

    name = "engine"

    def __init__(self, engine: Engine, model: str | None):
        self.engine = engine
        self.model = model
        start = time.perf_counter()
        self.info = engine.load(model)
        self.load_seconds = time.perf_counter() - start

    def run(self, audio: np.ndarray, options: TranscribeOptions) -> Hypothesis:
        transcript = self.engine.transcribe_all(audio, options, model=self.model)
        return Hypothesis(transcript.text, transcript.language)


class RawWhisper:
    """``faster_whisper.WhisperModel`` used directly, with the engine's exact settings."""

    name = "raw"

    def __init__(self, engine: Engine, model: str | None):
        from faster_whisper import WhisperModel

        info = engine.registry.resolve(model)
        device = engine.device
        start = time.perf_counter()
        self._model: Any = WhisperModel(
            str(info.path),
            device=device.device,
            device_index=device.device_index,
            compute_type=device.compute_type,
            cpu_threads=device.cpu_threads,
            num_workers=1,  # one transcription at a time: the sequential yardstick
            local_files_only=True,
        )
        self.load_seconds = time.perf_counter() - start

    def run(self, audio: np.ndarray, options: TranscribeOptions) -> Hypothesis:
        segments, info = self._model.transcribe(audio, **decode_kwargs(options))
        text = "".join(segment.text for segment in segments).strip()
        return Hypothesis(text, str(info.language))


class ServerSystem:
    """An OpenAI-compatible server, sent each clip as a client would (a WAV upload, the
    language when the clip has one, every other field the server's default)."""

    def __init__(self, url: str, api_key: str | None = None, model: str = "whisper-1"):
        import httpx

        self.name = url
        self.load_seconds = 0.0
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=url, headers=headers, timeout=600.0)
        self._model = model

    def run(self, audio: np.ndarray, options: TranscribeOptions) -> Hypothesis:
        from stt_engine.audio import wav_bytes

        fields = {"model": self._model, "response_format": "verbose_json"}
        if options.language:
            fields["language"] = options.language
        import httpx

        from stt_engine.errors import NotReadyError, SttError

        files = {"file": ("clip.wav", wav_bytes(audio), "audio/wav")}
        try:
            response = self._client.post("/v1/audio/transcriptions", data=fields, files=files)
        except httpx.HTTPError as exc:
            raise NotReadyError(
                f"no answer from {self.name} ({type(exc).__name__}: {exc})",
                hint="start the server first, or check the --url",
            ) from exc
        if response.status_code != 200:
            raise SttError(f"{self.name} answered {response.status_code}: {response.text[:300]}")
        body = response.json()
        return Hypothesis(str(body.get("text", "")).strip(), str(body.get("language", "")))


def decode_kwargs(options: TranscribeOptions) -> dict[str, Any]:
    """faster-whisper's keyword arguments for the engine's options (sequential decoding)."""
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


def build_systems(engine: Engine, model: str | None, compare_raw: bool) -> list[System]:
    """The engine, and raw faster-whisper after it when asked for."""
    systems: list[System] = [EngineSystem(engine, model)]
    if compare_raw:
        systems.append(RawWhisper(engine, model))
    return systems


def settings_record(
    engine: Engine, model: str | None, options: TranscribeOptions
) -> dict[str, Any]:
    """The settings both systems ran with, for the result file."""
    info = engine.registry.resolve(model)
    kind = engine.kind(info.path)
    device = engine.device_for(kind)
    return {
        "model": info.name,
        "model_path": str(info.path),
        "backend": kind.name,
        "device": device.device,
        "compute_type": device.compute_type,
        "cpu_threads": device.cpu_threads,
        "batch": asdict(batch_settings(engine.settings, device)),
        "language": options.language,
        "beam_size": options.beam_size,
        "best_of": options.best_of,
        "vad_filter": options.vad_filter,
        "temperature": list(options.temperature),
        "condition_on_previous_text": options.condition_on_previous_text,
    }
