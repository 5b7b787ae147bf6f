"""The backend contract: options in, lazily produced segments out.

A backend is anything with ``transcribe(audio, options) -> (segments, info)``. Segments are
produced while the caller iterates, so errors and GPU time happen during iteration.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from stt_engine.errors import InvalidRequestError
from stt_engine.transcript import Segment, TranscriptionInfo

Task = Literal["transcribe", "translate"]
DEFAULT_TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


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
class TranscribeOptions:
    """Decoding options, validated when built.

    The defaults guard against Whisper's known failures: no conditioning on previous text
    (repetition loops), compression-ratio / log-prob / no-speech thresholds with temperature
    fallback, VAD on, and the hallucination filter.
    """

    language: str | None = None
    task: Task = "transcribe"
    beam_size: int = 5
    best_of: int = 5
    temperature: tuple[float, ...] = DEFAULT_TEMPERATURES
    initial_prompt: str | None = None
    hotwords: str | None = None
    word_timestamps: bool = False
    vad_filter: bool = True
    vad_min_silence_ms: int = 500
    batch_size: int = 0  # > 0: batched inference over VAD chunks (fast on GPU, fewer guards)
    condition_on_previous_text: bool = False
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6
    hallucination_silence_threshold: float | None = None
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    filter_hallucinations: bool = True
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check(self.task in ("transcribe", "translate"), "task", "transcribe or translate")
        _check(1 <= self.beam_size <= 20, "beam_size", "between 1 and 20")
        _check(1 <= self.best_of <= 20, "best_of", "between 1 and 20")
        _check(
            bool(self.temperature) and all(0.0 <= t <= 1.0 for t in self.temperature),
            "temperature",
            "one or more values between 0 and 1",
        )
        _check(0 <= self.batch_size <= 256, "batch_size", "between 0 and 256")
        _check(self.repetition_penalty > 0, "repetition_penalty", "above 0")
        _check(self.vad_min_silence_ms >= 0, "vad_min_silence_ms", "0 or more")
        if self.language is not None:
            _check(
                self.language.isalpha() and 2 <= len(self.language) <= 3,
                "language",
                "an ISO-639-1 code such as 'ko' or 'en'",
            )

    @classmethod
    def from_temperature(cls, temperature: float | None, **kwargs: object) -> TranscribeOptions:
        """OpenAI's single temperature: 0 (or none) keeps the fallback ladder from there."""
        if temperature is None or temperature == 0:
            return cls(**kwargs)  # type: ignore[arg-type]
        ladder = tuple(t for t in DEFAULT_TEMPERATURES if t >= temperature) or (temperature,)
        return cls(temperature=ladder, **kwargs)  # type: ignore[arg-type]


def _check(ok: bool, param: str, expected: str) -> None:
    if not ok:
        raise InvalidRequestError(f"invalid {param}: must be {expected}", param=param)


class Backend(Protocol):
    """A loaded model that turns audio into segments."""

    @property
    def device(self) -> DeviceChoice: ...

    @property
    def multilingual(self) -> bool: ...

    def transcribe(
        self, audio: np.ndarray, options: TranscribeOptions
    ) -> tuple[Iterator[Segment], TranscriptionInfo]: ...
