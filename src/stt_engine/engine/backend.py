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
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    @classmethod
    def for_request(
        cls, options: TranscribeOptions, language: str | None, step: int
    ) -> DecodeOptions:
        """The decoder options of a request at fallback step ``step`` of its temperatures:
        the language decided for it, that step's temperature, and every other field the
        request's own option of the same name (tests/unit/test_options_surfaces.py checks
        that each is one)."""
        same = {f.name: getattr(options, f.name) for f in fields(cls) if f.name not in _PER_STEP}
        return cls(**same, language=language, temperature=options.temperature[step])


_PER_STEP = frozenset({"language", "temperature"})  # decided per chunk and fallback step


ENCODER_FRAMES = 3000  # Whisper's full window: 30 s of 10 ms feature frames
_FITTED_MIN_SECONDS = 10
_FITTED_STEP_SECONDS = 5


def fitted_frames(seconds: float) -> int:
    """A shorter encoder window for a chunk of ``seconds``: 1.5x the speech plus a second,
    at least 10 s, in 5 s steps (so chunks of similar length still batch), at most 30 s.

    Whisper pads every input to 30 s; encoding only what a short chunk needs is several
    times faster on a CPU. Much tighter windows make the base model repeat itself.
    """
    wanted = 1.5 * seconds + 1.0
    steps = math.ceil(wanted / _FITTED_STEP_SECONDS) * _FITTED_STEP_SECONDS
    return min(ENCODER_FRAMES, max(_FITTED_MIN_SECONDS, steps) * 100)


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
