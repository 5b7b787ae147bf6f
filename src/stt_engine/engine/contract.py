"""The backend contract, in the engine's own terms.

A backend is one loaded Whisper-family model on one device. It turns a speech chunk (at most
30 s of 16 kHz audio) into features, and decodes a *batch* of chunks (from any number of
requests) with one set of :class:`DecodeOptions` at one temperature, aligning words when
asked. Everything around that (VAD cuts, batching across requests, temperature fallback, the
no-speech and hallucination guards, timestamps on the recording's timeline) is the engine's
and the same for every backend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

from stt_engine.options import Task, TranscribeOptions
from stt_engine.transcript import Segment


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """Where a model runs, and why it runs there."""

    device: str  # "cuda" or "cpu"
    compute_type: str
    reason: str
    name: str = ""  # GPU name when on CUDA
    cpu_threads: int = 0
    device_index: int = 0

    def log_line(self) -> str:
        if self.device == "cuda":
            return (
                f"Device: cuda ({self.name or 'GPU ' + str(self.device_index)}, "
                f"{self.compute_type})"
            )
        return f"Device: cpu ({self.compute_type}, {self.cpu_threads} threads) - {self.reason}"


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """What one decoder call needs; chunks batch together only when these are equal."""

    task: Task = "transcribe"
    language: str | None = None  # None: detect per chunk
    beam_size: int = 5
    best_of: int = 5
    temperature: float = 0.0
    initial_prompt: str | None = None
    hotwords: str | None = None
    word_timestamps: bool = False
    without_timestamps: bool = False
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    logprobs: bool = False  # give every decoded token's log-probability
    languages: str | None = None  # detection picks among these codes ("ko,en"); None: any

    @property
    def allowed_languages(self) -> tuple[str, ...]:
        """The codes language detection may pick (empty: any)."""
        return tuple(self.languages.split(",")) if self.languages else ()

    @classmethod
    def for_request(
        cls, options: TranscribeOptions, language: str | None, step: int
    ) -> DecodeOptions:
        """The decoder options of a request at fallback step ``step`` of its temperatures:
        the language decided for it, that step's temperature and repetition penalties, and
        every other field the request's own option of the same name
        (tests/unit/test_options_surfaces.py checks that each is one).

        Nothing is sampled: a step at temperature ``t > 0`` is a beam search pushed away from
        repeating itself, harder as ``t`` grows (see :func:`fallback_penalties`), so the
        same chunk decodes to the same text whatever else shares its batch.
        """
        temperature = options.temperature[step]
        penalty, ngram = fallback_penalties(
            temperature, options.repetition_penalty, options.no_repeat_ngram_size
        )
        same = {f.name: getattr(options, f.name) for f in fields(cls) if f.name not in _PER_STEP}
        return cls(
            **same,
            language=language,
            temperature=temperature,
            repetition_penalty=penalty,
            no_repeat_ngram_size=ngram,
        )


# decided per chunk and fallback step rather than copied from the request
_PER_STEP = frozenset({"language", "temperature", "repetition_penalty", "no_repeat_ngram_size"})


FALLBACK_PENALTY_PER_DEGREE = 0.5  # repetition penalty 1.1 at t=0.2 ... 1.5 at t=1.0
FALLBACK_NGRAM_FROM = 0.4  # from this temperature on, repeated n-grams are forbidden
FALLBACK_NGRAM_SIZES = 10  # n-gram size at t: 10 - 5t tokens (8 at 0.4 ... 5 at 1.0)


def fallback_penalties(
    temperature: float, repetition_penalty: float, no_repeat_ngram_size: int
) -> tuple[float, int]:
    """The repetition penalty and forbidden n-gram size of a fallback step at
    ``temperature``: the request's own at 0, and never weaker than the request's."""
    if temperature <= 0:
        return repetition_penalty, no_repeat_ngram_size
    penalty = max(repetition_penalty, round(1.0 + FALLBACK_PENALTY_PER_DEGREE * temperature, 3))
    if temperature < FALLBACK_NGRAM_FROM:
        return penalty, no_repeat_ngram_size
    size = round(FALLBACK_NGRAM_SIZES - 5 * temperature)
    return penalty, min(size, no_repeat_ngram_size) if no_repeat_ngram_size else size


ENCODER_FRAMES = 3000  # Whisper's full window: 30 s of 10 ms feature frames
_FITTED_MIN_SECONDS = 10.0
_FITTED_STEP_SECONDS = 5.0


def fitted_frames(seconds: float) -> int:
    """A shorter encoder window for a chunk of ``seconds``: 1.5x the speech plus a second,
    at least 10 s, in 5 s steps (so chunks of similar length still batch), at most 30 s.

    Whisper pads every input to 30 s; encoding only what a short chunk needs is several
    times faster on a CPU. Much tighter windows make the base model repeat itself.
    """
    wanted = 1.5 * seconds + 1.0
    steps = math.ceil(wanted / _FITTED_STEP_SECONDS) * _FITTED_STEP_SECONDS
    return min(ENCODER_FRAMES, round(max(_FITTED_MIN_SECONDS, steps) * 100))


@dataclass(frozen=True, slots=True)
class ChunkInput:
    """One speech chunk ready for the decoder."""

    features: np.ndarray  # the backend's own features for the chunk (from ``features``)
    seconds: float  # speech in the chunk, from its start


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """A decoded chunk: segments timed from the chunk's start, and the scores fallback needs."""

    segments: tuple[Segment, ...]
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    language: str
    language_probability: float
    # with DecodeOptions.logprobs: the log-probability of each decoded token and of the end
    # token after them; their sum over (tokens + 1) is ``avg_logprob``
    token_logprobs: tuple[float, ...] = ()


class Backend(Protocol):
    """A loaded Whisper-family model on one device."""

    @property
    def device(self) -> DeviceChoice: ...

    @property
    def multilingual(self) -> bool: ...

    def features(self, audio: np.ndarray, frames: int = ENCODER_FRAMES) -> np.ndarray:
        """Features of at most 30 s of 16 kHz mono audio, padded to ``frames`` frames where
        the model takes a shorter window (else to its full window)."""
        ...

    def decode_batch(
        self, chunks: Sequence[ChunkInput], options: DecodeOptions
    ) -> list[ChunkResult]:
        """Decode every chunk in one batched call; one result per chunk, in order.

        With ``options.language`` None each chunk's language is detected first. With
        ``options.word_timestamps`` the segments carry aligned words.
        """
        ...
