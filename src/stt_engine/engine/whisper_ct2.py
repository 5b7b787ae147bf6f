"""The CTranslate2 backend (through faster-whisper's model wrapper).

The only module that imports ``ctranslate2`` or ``faster_whisper`` (except the VAD, which
uses faster-whisper's Silero model on onnxruntime, and the benchmark's raw baseline). It
decodes a batch of chunks in one ``encode`` + ``generate`` call, with timestamps, language
detection per chunk when asked, and word alignment in one ``align`` call for the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine import decoded as dec
from stt_engine.engine.contract import ChunkInput, ChunkResult, DecodeOptions, DeviceChoice
from stt_engine.errors import ModelInvalidError


class WhisperCT2Backend:
    """A Whisper model in CTranslate2 format loaded on one device."""

    def __init__(self, path: Path, device: DeviceChoice, *, num_workers: int = 1):
        from faster_whisper import WhisperModel

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
        self._device = device
        self._tokenizers: dict[tuple[str, str], Any] = {}

    @property
    def device(self) -> DeviceChoice:
        return self._device

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def features(self, audio: np.ndarray, frames: int = dec.FRAMES) -> np.ndarray:
        """Log-mel features padded to ``frames`` (CTranslate2 encodes a window shorter than
        30 s, a fitted window, as given).

        The full window is padded as faster-whisper pads it (zeros after normalising, which
        reads as a flat, moderately loud sound). A fitted window is padded with silence
        instead: the audio itself is padded with zeros to the window's length before the
        log-mel, as Whisper's own feature extraction (and the PyTorch backend) does. With
        only a few seconds after the speech, faster-whisper's padding reads like more of the
        noise in noisy audio and costs a point of error; silence marks where speech ends.
        """
        from faster_whisper.audio import pad_or_trim

        if frames < dec.FRAMES:
            samples = frames * SAMPLE_RATE // dec.FRAMES_PER_SECOND
            audio = np.pad(audio, (0, max(samples - audio.size, 0)))
        mel = self._model.feature_extractor(audio)[..., :-1]
        return np.ascontiguousarray(pad_or_trim(mel, frames), dtype=np.float32)

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        encoded = self._model.encode(np.stack([c.features for c in chunks]))
        languages = self._languages(encoded, len(chunks), options)
        tokenizers = [self._tokenizer(options.task, lang) for lang, _ in languages]
        prompts = [self._prompt(tok, options) for tok in tokenizers]
        results = self._model.model.generate(
            encoded, prompts, **_generate_kwargs(self._model, tokenizers[0], options)
        )
        decoded = [
            _decoded(result, tok, chunk.seconds, options.logprobs)
            for result, tok, chunk in zip(results, tokenizers, chunks, strict=True)
        ]
        if options.word_timestamps:
            self._align(decoded, tokenizers, encoded, chunks)
        return [
            dec.chunk_result(d, tok, options.temperature, lang)
            for d, tok, lang in zip(decoded, tokenizers, languages, strict=True)
        ]

    def _languages(
        self, encoded: Any, count: int, options: DecodeOptions
    ) -> list[tuple[str, float]]:
        if options.language is not None or not self.multilingual:
            return [(options.language or "en", 1.0)] * count
        detected = self._model.model.detect_language(encoded)
        allowed = options.allowed_languages
        return [
            dec.likeliest([(t[2:-2], float(p)) for t, p in pairs], allowed) for pairs in detected
        ]

    def _tokenizer(self, task: str, language: str) -> Any:
        key = (task, language)
        if key not in self._tokenizers:
            from faster_whisper.tokenizer import Tokenizer

            self._tokenizers[key] = Tokenizer(
                self._model.hf_tokenizer, self.multilingual, task=task, language=language
            )
        return self._tokenizers[key]

    def _prompt(self, tokenizer: Any, options: DecodeOptions) -> list[int]:
        return dec.prompt(tokenizer, options, self._model.max_length)

    def _align(
        self,
        decoded: list[dict[str, Any]],
        tokenizers: list[Any],
        encoded: Any,
        chunks: Sequence[ChunkInput],
    ) -> None:
        """Words for every decoded chunk, one alignment call per tokenizer in the batch."""
        for indices in dec.groups_by_tokenizer(tokenizers):
            subsegments = [decoded[i]["subsegments"] for i in indices]
            frames = [dec.content_frames(chunks[i].seconds) for i in indices]
            nonempty = [k for k, subs in enumerate(subsegments) if subs]
            if not nonempty:
                continue
            self._model.add_word_timestamps(
                [subsegments[k] for k in nonempty],
                tokenizers[indices[0]],
                _select(encoded, [indices[k] for k in nonempty]),
                [frames[k] for k in nonempty],
                dec.PREPEND_PUNCTUATIONS,
                dec.APPEND_PUNCTUATIONS,
                0.0,
            )


def _generate_kwargs(model: Any, tokenizer: Any, options: DecodeOptions) -> dict[str, Any]:
    from faster_whisper.transcribe import get_suppressed_tokens

    kwargs: dict[str, Any] = {
        "max_length": model.max_length,
        "return_scores": True,
        "return_no_speech_prob": True,
        "suppress_blank": True,
        "suppress_tokens": list(get_suppressed_tokens(tokenizer, [-1])),
        "max_initial_timestamp_index": dec.MAX_INITIAL_TIMESTAMP_INDEX,
        "repetition_penalty": options.repetition_penalty,
        "no_repeat_ngram_size": options.no_repeat_ngram_size,
        "beam_size": options.beam_size,  # never sampled: the fallback is deterministic
    }
    if options.logprobs:  # CTranslate2 returns each step's distribution from greedy search
        kwargs.update(beam_size=1, return_logits_vocab=True)
    return kwargs


def _decoded(result: Any, tokenizer: Any, seconds: float, logprobs: bool) -> dict[str, Any]:
    tokens = list(result.sequences_ids[0])
    avg_logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
    steps = _step_logprobs(result, [*tokens, tokenizer.eot]) if logprobs else ()
    no_speech = float(result.no_speech_prob)
    return dec.decoded(tokens, avg_logprob, no_speech, tokenizer, seconds, steps)


def _step_logprobs(result: Any, tokens: list[int]) -> tuple[float, ...]:
    """The log-probability of each chosen token (and of the end token, when decoding ended
    on it) from the distributions greedy search returned, one per step."""
    import ctranslate2

    values: list[float] = []
    for logits, token in zip(result.logits[0], tokens, strict=False):
        on_host = logits if logits.device == "cpu" else logits.to_device(ctranslate2.Device.cpu)
        row = np.asarray(on_host, dtype=np.float64)
        top = row.max()
        values.append(float(row[token] - top - np.log(np.exp(row - top).sum())))
    return tuple(values)


def _select(encoded: Any, indices: list[int]) -> Any:
    """The encoder output rows for ``indices`` (the whole output when that is all of it)."""
    import ctranslate2

    if indices == list(range(encoded.shape[0])):
        return encoded
    array = np.asarray(encoded)[indices] if encoded.device == "cpu" else None
    if array is None:  # on the GPU: go through the host once
        array = np.asarray(encoded.to_device(ctranslate2.Device.cpu))[indices]
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(array))


def gpu_count() -> int:
    """CUDA devices CTranslate2 can see (raises on a broken driver)."""
    import ctranslate2

    return int(ctranslate2.get_cuda_device_count())
