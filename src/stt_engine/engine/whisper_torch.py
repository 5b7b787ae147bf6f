"""The PyTorch backend: Hugging Face Whisper checkpoints on ``transformers``.

The only module that imports ``torch`` or ``transformers`` (with its word aligner,
``torch_align.py``, its encoder, ``torch_encoder.py``, and its device probe,
``torch_device.py``); it needs no other backend's library. A batch of chunks is encoded
once, in the window its features were padded to (a fitted window or the full 30 s); the first
decoder step over the start token gives each chunk's language and no-speech probability;
``generate`` then decodes the batch by beam search with Whisper's timestamp rules (a fallback
step only adds repetition penalties: nothing is sampled); a teacher-forced pass scores the
result. Prompt
building, timestamp splitting and word grouping are shared with the CTranslate2 backend, so
the two agree on everything but the arithmetic.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import GenerationConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration
from transformers.generation import (
    GenerationMixin,
    LogitsProcessorList,
    WhisperTimeStampLogitsProcessor,
)
from transformers.modeling_outputs import BaseModelOutput

from stt_engine.engine import decoded as dec
from stt_engine.engine.contract import ChunkInput, ChunkResult, DecodeOptions, DeviceChoice
from stt_engine.engine.torch_align import WordAligner
from stt_engine.engine.torch_encoder import encode, log_mel
from stt_engine.engine.whisper_tokenizer import WhisperTokenizer, language_tokens
from stt_engine.errors import ModelInvalidError

MAX_LENGTH = 448  # decoder positions
TIMESTAMP_TOKENS = 1501  # <|0.00|> to <|30.00|>
_ALIGN_TOKENS = ("<|notimestamps|>", "<|endoftext|>")
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


class WhisperTorchBackend:
    """A Hugging Face Whisper checkpoint loaded on one device."""

    def __init__(self, path: Path, device: DeviceChoice):
        self._device = device
        self._torch_device = torch.device(
            f"cuda:{device.device_index}" if device.device == "cuda" else "cpu"
        )
        self._dtype = DTYPES.get(device.compute_type, torch.float32)
        if device.device == "cpu" and device.cpu_threads:
            torch.set_num_threads(device.cpu_threads)
        self._model = _load_model(path, self._dtype, self._torch_device)
        self._extractor = _feature_extractor(path, self._model.config.num_mel_bins)
        self._hf_tokenizer = _tokenizer(path)
        self._tokenizers: dict[tuple[str, str], Any] = {}
        self._language_tokens = language_tokens(self._hf_tokenizer)
        special = tuple(self._hf_tokenizer.token_to_id(t) for t in _ALIGN_TOKENS)
        self._aligner = WordAligner(self._model, _alignment_heads(self._model), special)
        self._lock = threading.Lock()  # one batch at a time on this model

    @property
    def device(self) -> DeviceChoice:
        return self._device

    @property
    def multilingual(self) -> bool:
        return int(self._model.config.vocab_size) >= 51865

    def features(self, audio: np.ndarray, frames: int = dec.FRAMES) -> np.ndarray:
        """Log-mel features padded to ``frames`` (a fitted window, or the full 30 s)."""
        return log_mel(self._extractor, audio, frames)

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        with self._lock, torch.inference_mode():
            encoded = self._encode(chunks)
            first: dict[tuple[tuple[int, ...], ...], torch.Tensor] = {}  # one pass per prefix
            languages = self._languages(encoded, options, first)
            tokenizers = [self._tokenizer(options.task, lang) for lang, _ in languages]
            prefixes = [self._prompt(tok, options) for tok in tokenizers]
            sequences = self._generate(encoded, prefixes, tokenizers[0], options)
            scored = [
                self._score(encoded[i : i + 1], prefixes[i], candidates, tokenizers[i])
                for i, candidates in enumerate(sequences)
            ]
            no_speech = self._no_speech(encoded, prefixes, tokenizers[0], first)
            decoded = [
                dec.decoded(tokens, logprob, float(ns), tok, chunk.seconds, steps)
                for (tokens, logprob, steps), ns, tok, chunk in zip(
                    scored, no_speech, tokenizers, chunks, strict=True
                )
            ]
            if not options.logprobs:
                for entry in decoded:
                    entry["token_logprobs"] = ()
            if options.word_timestamps:
                self._aligner.align(decoded, tokenizers, encoded, chunks)
        return [
            dec.chunk_result(d, tok, options.temperature, lang)
            for d, tok, lang in zip(decoded, tokenizers, languages, strict=True)
        ]

    def _encode(self, chunks: Sequence[ChunkInput]) -> torch.Tensor:
        features = torch.from_numpy(np.stack([c.features for c in chunks]))
        features = features.to(self._torch_device, self._dtype)
        return encode(self._model.model.encoder, features)

    def _first_logits(
        self, encoded: torch.Tensor, prefixes: list[list[int]], first: dict[Any, torch.Tensor]
    ) -> torch.Tensor:
        """Logits after the last prefix token of each row, in float32 (once per batch: the
        language pass and the no-speech pass share it when the request has no prompt)."""
        key = tuple(tuple(p) for p in prefixes)
        if key not in first:
            ids = torch.tensor(prefixes, device=self._torch_device)
            out = self._model(encoder_outputs=(encoded,), decoder_input_ids=ids, use_cache=False)
            first[key] = out.logits[:, -1].float()
        return first[key]

    def _languages(
        self, encoded: torch.Tensor, options: DecodeOptions, first: dict[Any, torch.Tensor]
    ) -> list[tuple[str, float]]:
        count = encoded.shape[0]
        if options.language is not None or not self.multilingual:
            return [(options.language or "en", 1.0)] * count
        codes, ids = zip(*self._language_tokens, strict=True)
        sot = self._tokenizer("transcribe", "en").sot
        probs = self._first_logits(encoded, [[sot]] * count, first)[:, list(ids)].softmax(-1)
        allowed = options.allowed_languages
        return [
            dec.likeliest(list(zip(codes, row, strict=True)), allowed) for row in probs.tolist()
        ]

    def _no_speech(
        self,
        encoded: torch.Tensor,
        prefixes: list[list[int]],
        tokenizer: Any,
        first: dict[Any, torch.Tensor],
    ) -> list[float]:
        if tokenizer.no_speech is None:
            return [0.0] * encoded.shape[0]
        upto_sot = [p[: p.index(tokenizer.sot) + 1] for p in prefixes]
        probs = self._first_logits(encoded, upto_sot, first).softmax(-1)
        return [float(v) for v in probs[:, tokenizer.no_speech].tolist()]

    def _tokenizer(self, task: str, language: str) -> Any:
        key = (task, language)
        if key not in self._tokenizers:
            self._tokenizers[key] = WhisperTokenizer(
                self._hf_tokenizer, self.multilingual, task=task, language=language
            )
        return self._tokenizers[key]

    def _prompt(self, tokenizer: Any, options: DecodeOptions) -> list[int]:
        return dec.prompt(tokenizer, options, MAX_LENGTH)

    def _generate(
        self,
        encoded: torch.Tensor,
        prefixes: list[list[int]],
        tokenizer: Any,
        options: DecodeOptions,
    ) -> list[list[list[int]]]:
        """Candidate token sequences (without the prefix) for every chunk."""
        begin = len(prefixes[0])
        config = _generation_config(tokenizer, options)
        processors = LogitsProcessorList()
        if not options.without_timestamps:  # else timestamp tokens are suppressed outright
            processors.append(WhisperTimeStampLogitsProcessor(config, begin))
        ids = torch.tensor(prefixes, device=self._torch_device)
        out = GenerationMixin.generate(
            self._model,
            encoder_outputs=BaseModelOutput(last_hidden_state=encoded),
            decoder_input_ids=ids,
            generation_config=config,
            logits_processor=processors,
        )
        per_chunk = config.num_return_sequences or 1
        rows = [_strip(row[begin:].tolist(), tokenizer.eot) for row in out]
        return [rows[i * per_chunk : (i + 1) * per_chunk] for i in range(len(prefixes))]

    def _score(
        self,
        encoded: torch.Tensor,
        prefix: list[int],
        candidates: list[list[int]],
        tokenizer: Any,
    ) -> tuple[list[int], float, tuple[float, ...]]:
        """The likeliest candidate, its mean log-probability (Whisper's avg_logprob) and the
        log-probability of each of its tokens, then of the end token."""
        if len(candidates) == 1 and not candidates[0]:
            return [], 0.0, ()
        best: tuple[list[int], float, tuple[float, ...]] | None = None
        for tokens in candidates:
            ids = torch.tensor([[*prefix, *tokens, tokenizer.eot]], device=self._torch_device)
            out = self._model(encoder_outputs=(encoded,), decoder_input_ids=ids, use_cache=False)
            logprobs = out.logits[0, len(prefix) - 1 : -1].float().log_softmax(-1)
            targets = ids[0, len(prefix) :]
            steps = logprobs.gather(-1, targets[:, None])[:, 0].double()
            average = float(steps.sum()) / (len(tokens) + 1)
            if best is None or average > best[1]:
                best = (tokens, average, tuple(steps.tolist()))
        assert best is not None
        return best


def _strip(tokens: list[int], eot: int) -> list[int]:
    """Tokens up to (not including) the end of text; padding after it dropped."""
    return tokens[: tokens.index(eot)] if eot in tokens else tokens


def _generation_config(tokenizer: Any, options: DecodeOptions) -> GenerationConfig:
    """Whisper's decoding rules for one call: suppressed tokens, blank start, the beam."""
    suppress = list(tokenizer.suppressed_tokens)
    if options.without_timestamps:
        suppress.extend(
            range(tokenizer.timestamp_begin, tokenizer.timestamp_begin + TIMESTAMP_TOKENS)
        )
    return GenerationConfig(
        max_length=MAX_LENGTH,
        suppress_tokens=suppress,
        begin_suppress_tokens=[*tokenizer.encode(" "), tokenizer.eot],
        num_beams=options.beam_size,  # never sampled: the fallback is deterministic
        do_sample=False,
        num_return_sequences=1,
        repetition_penalty=options.repetition_penalty,
        no_repeat_ngram_size=options.no_repeat_ngram_size,
        eos_token_id=tokenizer.eot,
        pad_token_id=tokenizer.eot,
        decoder_start_token_id=tokenizer.sot,
        no_timestamps_token_id=tokenizer.no_timestamps,
        max_initial_timestamp_index=dec.MAX_INITIAL_TIMESTAMP_INDEX,
        length_penalty=1.0,
    )


def _load_model(path: Path, dtype: torch.dtype, device: torch.device) -> Any:
    try:
        model: Any = WhisperForConditionalGeneration.from_pretrained(
            str(path), dtype=dtype, attn_implementation="sdpa", local_files_only=True
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelInvalidError(f"cannot load model from {path}: {exc}") from exc
    return model.to(device).eval()


def _feature_extractor(path: Path, mel_bins: int) -> Any:
    if (path / "preprocessor_config.json").is_file():
        return WhisperFeatureExtractor.from_pretrained(str(path), local_files_only=True)
    return WhisperFeatureExtractor(feature_size=mel_bins)


def _tokenizer(path: Path) -> Any:
    """The ``tokenizers`` tokenizer of a checkpoint (from tokenizer.json, or vocab + merges)."""
    import tokenizers

    if (path / "tokenizer.json").is_file():
        return tokenizers.Tokenizer.from_file(str(path / "tokenizer.json"))
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(path), local_files_only=True).backend_tokenizer
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelInvalidError(f"cannot load the tokenizer in {path}: {exc}") from exc


def _alignment_heads(model: Any) -> list[tuple[int, int]]:
    heads = getattr(model.generation_config, "alignment_heads", None)
    if heads:
        return [(int(layer), int(head)) for layer, head in heads]
    layers, count = model.config.decoder_layers, model.config.decoder_attention_heads
    return [(layer, head) for layer in range(layers // 2, layers) for head in range(count)]
