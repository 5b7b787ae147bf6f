"""What both Whisper backends share after the model: prompts, token splitting, results.

A backend produces token ids; turning them into the engine's :class:`ChunkResult` (segments
split at timestamp tokens, text, scores) is the same arithmetic for every backend, and so is
the prompt a request's options make. Tokenizers wrap a ``tokenizers`` tokenizer with Whisper's
rules: faster-whisper's ``Tokenizer`` on CTranslate2, ``whisper_tokenizer.py`` on PyTorch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from stt_engine.engine.contract import ENCODER_FRAMES, ChunkResult, DecodeOptions
from stt_engine.engine.tokens import Piece, compression_ratio, split_by_timestamps, token_bytes
from stt_engine.transcript import Segment, TokenLogprob, Word

FRAMES = ENCODER_FRAMES
FRAMES_PER_SECOND = 100
MAX_INITIAL_TIMESTAMP_INDEX = 50  # the first timestamp is at most 1 s in
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"


def prompt(tokenizer: Any, options: DecodeOptions, max_length: int) -> list[int]:
    """The decoder prefix: previous text and hotwords (after ``sot_prev``), then the start."""
    head: list[int] = []
    previous = (
        tokenizer.encode(" " + options.initial_prompt.strip()) if options.initial_prompt else []
    )
    if previous or options.hotwords:
        head.append(tokenizer.sot_prev)
        if options.hotwords:
            head.extend(tokenizer.encode(" " + options.hotwords.strip())[: max_length // 2 - 1])
        head.extend(previous[-(max_length // 2 - 1) :])
    tail = [tokenizer.no_timestamps] if options.without_timestamps else []
    return [*head, *tokenizer.sot_sequence, *tail]


def decoded(
    tokens: list[int],
    avg_logprob: float,
    no_speech_prob: float,
    tokenizer: Any,
    seconds: float,
    token_logprobs: tuple[float, ...] = (),
) -> dict[str, Any]:
    """A decoded chunk in the shape faster-whisper's word aligner reads and writes (and the
    log-probability of each token, then of the end token, when they were asked for)."""
    pieces = split_by_timestamps(tokens, tokenizer.timestamp_begin, tokenizer.eot, seconds)
    return {
        "tokens": tokens,
        "avg_logprob": avg_logprob,
        "no_speech_prob": no_speech_prob,
        "subsegments": [_subsegment(p) for p in pieces],
        "token_logprobs": token_logprobs,
    }


def _subsegment(piece: Piece) -> dict[str, Any]:
    return {"seek": 0, "start": piece.start, "end": piece.end, "tokens": list(piece.tokens)}


def chunk_result(
    decoded: dict[str, Any], tokenizer: Any, temperature: float, language: tuple[str, float]
) -> ChunkResult:
    text_tokens = [t for t in decoded["tokens"] if t < tokenizer.eot]
    text = tokenizer.decode(text_tokens)
    segments = tuple(
        _segment(sub, tokenizer, decoded, temperature) for sub in decoded["subsegments"]
    )
    if decoded["token_logprobs"]:
        segments = _with_logprobs(segments, decoded, tokenizer)
    return ChunkResult(
        segments=segments,
        text=text,
        avg_logprob=decoded["avg_logprob"],
        no_speech_prob=decoded["no_speech_prob"],
        compression_ratio=compression_ratio(text),
        temperature=temperature,
        language=language[0],
        language_probability=language[1],
        token_logprobs=tuple(decoded["token_logprobs"]),
    )


def _with_logprobs(
    segments: tuple[Segment, ...], decoded: dict[str, Any], tokenizer: Any
) -> tuple[Segment, ...]:
    """Each segment with its text tokens' log-probabilities (the pieces hold the chunk's text
    tokens in order, so each takes the next ones)."""
    texts = [
        TokenLogprob(
            tokenizer.decode([token]), float(logprob), token_bytes(tokenizer.tokenizer, token)
        )
        for token, logprob in zip(decoded["tokens"], decoded["token_logprobs"], strict=False)
        if token < tokenizer.eot
    ]
    given: list[Segment] = []
    start = 0
    for segment in segments:
        end = start + len(segment.tokens)
        given.append(replace(segment, logprobs=tuple(texts[start:end])))
        start = end
    return tuple(given)


def _segment(
    sub: dict[str, Any], tokenizer: Any, decoded: dict[str, Any], temperature: float
) -> Segment:
    text = tokenizer.decode(sub["tokens"])
    words = None
    if "words" in sub:
        words = tuple(
            Word(w["word"], float(w["start"]), float(w["end"]), float(w["probability"]))
            for w in sub["words"]
        )
    return Segment(
        id=0,
        seek=0,
        start=float(sub["start"]),
        end=float(sub["end"]),
        text=text,
        tokens=tuple(sub["tokens"]),
        temperature=temperature,
        avg_logprob=decoded["avg_logprob"],
        compression_ratio=compression_ratio(text),
        no_speech_prob=decoded["no_speech_prob"],
        words=words,
    )


def likeliest(scores: list[tuple[str, float]], allowed: tuple[str, ...]) -> tuple[str, float]:
    """The likeliest language among ``allowed`` (any, when empty), with its probability
    renormalised over the allowed ones."""
    kept = [(code, p) for code, p in scores if not allowed or code in allowed] or scores
    total = sum(p for _, p in kept) or 1.0
    code, probability = max(kept, key=lambda pair: pair[1])
    return code, probability / total if allowed else probability


def content_frames(seconds: float) -> int:
    """Feature frames that hold a chunk's audio (the aligner ignores the padding after)."""
    return min(int(np.ceil(seconds) * FRAMES_PER_SECOND), FRAMES)


def groups_by_tokenizer(tokenizers: list[Any]) -> list[list[int]]:
    """Indices of the chunks that share a tokenizer (one alignment call per group)."""
    groups: dict[int, list[int]] = {}
    for index, tok in enumerate(tokenizers):
        groups.setdefault(id(tok), []).append(index)
    return list(groups.values())
