"""One transcription as an owner of the batcher: windows -> speech chunks -> results -> guards.

For each window (a few minutes of audio, see windows.py) the speech chunks are submitted to
the batcher, at most the owner's cap at a time, and their results read back in order. A chunk
that fails Whisper's quality test (compression ratio too high, or average log-probability too
low while not silence) is submitted again at the next temperature; when every temperature
fails, the best try is kept. A step at a temperature above 0 is not sampled: it is a beam
search with a stronger repetition penalty (backend.fallback_penalties), so a file gives the
same transcript every time, alone or batched with other requests. A chunk the model judges
silent is dropped. Then the hallucination guards run over the window's segments, and times
move onto the recording's timeline. The language is detected on the first chunk when not
given, and kept.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.batcher import Owner
from stt_engine.engine.contract import (
    Backend,
    ChunkResult,
    DecodeOptions,
)
from stt_engine.engine.guards import guard_segments
from stt_engine.engine.vad import SpeechChunk, VadSettings, speech_chunks
from stt_engine.errors import CancelledError_
from stt_engine.options import TranscribeOptions
from stt_engine.transcript import Segment, TranscriptionInfo

_POLL_SECONDS = 0.2
_PROMPT_RESET_TEMPERATURE = 0.5
_PREVIOUS_TEXT_CHARS = 200


@dataclass
class Decoding:
    """What one transcription decodes with, and the language once known."""

    backend: Backend
    owner: Owner
    options: TranscribeOptions
    check: Callable[[], None] = lambda: None
    language: str | None = None
    previous_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.language is None and not self.backend.multilingual:
            self.language = "en"

    @property
    def vad(self) -> VadSettings | None:
        if not self.options.vad_filter:
            return None
        options = self.options
        return VadSettings(
            options.vad_threshold, options.vad_min_silence_ms, options.vad_speech_pad_ms
        )


def transcribe_windows(
    decoding: Decoding, windows: Iterator[tuple[int, np.ndarray]], duration: float
) -> tuple[Iterator[Segment], TranscriptionInfo]:
    """Decode the first chunk now (the language, the info); everything else while iterating."""
    _, first_audio = next(windows)  # the first window starts at sample 0
    first_chunks = speech_chunks(first_audio, decoding.vad)
    head = _resolve(decoding, _Attempt.start(decoding, first_chunks[0])) if first_chunks else None
    seconds = first_audio.size / SAMPLE_RATE
    info = TranscriptionInfo(
        language=decoding.language or "en",
        language_probability=head[1].language_probability if head else 0.0,
        duration=max(duration, seconds),
        duration_after_vad=sum(c.seconds for c in first_chunks),
        task=decoding.options.task,
    )
    if info.duration > seconds + 0.5:
        info = replace(info, duration_after_vad=info.duration)

    def all_windows() -> Iterator[Segment]:
        yield from _window(decoding, first_audio, first_chunks, 0.0, head)
        for start, audio in windows:
            chunks = speech_chunks(audio, decoding.vad)
            yield from _window(decoding, audio, chunks, start / SAMPLE_RATE, None)

    return _renumber(all_windows()), info


def _window(
    decoding: Decoding,
    audio: np.ndarray,
    chunks: list[SpeechChunk],
    offset: float,
    head: tuple[SpeechChunk, ChunkResult] | None,
) -> Iterator[Segment]:
    decoded = _in_order(decoding, chunks[1:] if head else chunks, head)
    segments: Iterator[Segment] = (
        chunk.to_window(segment)
        for chunk, result in decoded
        if not _silent(result, decoding.options)
        for segment in result.segments
        if segment.text.strip()
    )
    options = decoding.options
    if options.filter_hallucinations:
        segments = guard_segments(segments, audio, options.compression_ratio_threshold)
    for segment in segments:
        yield _shift(segment, offset)


@dataclass
class _Attempt:
    chunk: SpeechChunk
    future: Future[ChunkResult]
    step: int = 0

    @classmethod
    def start(cls, decoding: Decoding, chunk: SpeechChunk) -> _Attempt:
        attempt = cls(chunk, Future())
        attempt.submit(decoding, 0)
        return attempt

    def submit(self, decoding: Decoding, step: int) -> None:
        self.step = step
        options = DecodeOptions.for_request(decoding.options, decoding.language, step)
        if decoding.options.condition_on_previous_text and decoding.previous_text:
            prompt = f"{decoding.options.initial_prompt or ''} {decoding.previous_text}".strip()
            options = replace(options, initial_prompt=prompt)
        self.future = decoding.owner.submit(decoding.backend, self.chunk.audio, options)


def _in_order(
    decoding: Decoding, chunks: list[SpeechChunk], head: tuple[SpeechChunk, ChunkResult] | None
) -> Iterator[tuple[SpeechChunk, ChunkResult]]:
    """Each chunk with its accepted result, in order, keeping the owner's cap of chunks busy."""
    if head is not None:
        yield head
    cap = 1 if decoding.options.condition_on_previous_text else decoding.owner.cap
    pending: deque[_Attempt] = deque()
    for chunk in chunks:
        if len(pending) >= cap:
            yield _resolve(decoding, pending.popleft())
        pending.append(_Attempt.start(decoding, chunk))
    while pending:
        yield _resolve(decoding, pending.popleft())


def _resolve(decoding: Decoding, attempt: _Attempt) -> tuple[SpeechChunk, ChunkResult]:
    """Wait for the attempt, falling back to higher temperatures while it fails the test."""
    options = decoding.options
    tries: list[ChunkResult] = []
    while True:
        result = _wait(decoding, attempt.future)
        tries.append(result)
        if decoding.language is None:
            decoding.language = result.language
        last = attempt.step + 1 >= len(options.temperature)
        if not needs_fallback(result, options) or last:
            break
        attempt.submit(decoding, attempt.step + 1)
    best = tries[-1] if not needs_fallback(tries[-1], options) else _best(tries, options)
    if options.condition_on_previous_text:
        reset = best.temperature > _PROMPT_RESET_TEMPERATURE
        decoding.previous_text = "" if reset else best.text[-_PREVIOUS_TEXT_CHARS:]
    return attempt.chunk, best


def _wait(decoding: Decoding, future: Future[ChunkResult]) -> ChunkResult:
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except FutureTimeout:
            decoding.check()
        except CancelledError as exc:
            raise CancelledError_("the transcription was cancelled") from exc


def needs_fallback(result: ChunkResult, options: TranscribeOptions) -> bool:
    """Whisper's test: too repetitive, or too unlikely without being silence."""
    ratio_limit = options.compression_ratio_threshold
    logprob_limit = options.log_prob_threshold
    too_repetitive = ratio_limit is not None and result.compression_ratio > ratio_limit
    too_unlikely = logprob_limit is not None and result.avg_logprob < logprob_limit
    silence = (
        options.no_speech_threshold is not None
        and result.no_speech_prob > options.no_speech_threshold
        and too_unlikely
    )
    return (too_repetitive or too_unlikely) and not silence


def _best(tries: list[ChunkResult], options: TranscribeOptions) -> ChunkResult:
    limit = options.compression_ratio_threshold
    fitting = [t for t in tries if limit is None or t.compression_ratio <= limit]
    return max(fitting or tries, key=lambda t: t.avg_logprob)


def _silent(result: ChunkResult, options: TranscribeOptions) -> bool:
    if options.no_speech_threshold is None or result.no_speech_prob <= options.no_speech_threshold:
        return False
    limit = options.log_prob_threshold
    return limit is None or result.avg_logprob < limit


def _shift(segment: Segment, offset: float) -> Segment:
    words = segment.words
    if words is not None and offset:
        words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in words)
    start, end = segment.start + offset, segment.end + offset
    return replace(segment, start=start, end=end, seek=round(start * 100), words=words)


def _renumber(segments: Iterator[Segment]) -> Iterator[Segment]:
    for index, segment in enumerate(segments):
        yield segment if segment.id == index else replace(segment, id=index)
