"""The backend contract, in the engine's own terms, and the options every request carries.

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
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from stt_engine.errors import InvalidRequestError
from stt_engine.transcript import Segment

Task = Literal["transcribe", "translate"]
DEFAULT_TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MAX_SPEAKERS = 15  # the most speakers diarization tells apart


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
    vad_threshold: float = 0.5
    batch_size: int = 0  # accepted for compatibility; batching is the server's batch_size
    condition_on_previous_text: bool = False
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6
    hallucination_silence_threshold: float | None = None
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    filter_hallucinations: bool = True
    numbers: str = "keep"  # after decoding: keep, digits or spoken
    redact: str | None = None  # kinds to mask, "phone,email"; None: the server's default
    vocabulary: str | None = None  # a named vocabulary: hotwords, then its replacements
    diarize: bool = False  # label each segment and word with its speaker
    diarize_mode: str = "auto"  # auto, cluster (voices) or channels (one party per channel)
    num_speakers: int = 0  # 0: not known
    min_speakers: int = 0
    max_speakers: int = 0
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
        _check(0.0 < self.vad_threshold < 1.0, "vad_threshold", "between 0 and 1")
        _check(self.numbers in ("keep", "digits", "spoken"), "numbers", "keep, digits or spoken")
        _check(
            self.diarize_mode in ("auto", "cluster", "channels"),
            "diarize_mode",
            "auto, cluster or channels",
        )
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            _check(0 <= getattr(self, name) <= MAX_SPEAKERS, name, f"between 0 and {MAX_SPEAKERS}")
        if self.diarize:
            from stt_engine.diarize.turns import SpeakerCount

            SpeakerCount(self.num_speakers, self.min_speakers, self.max_speakers)  # checks
        if self.language is not None:
            from stt_engine.languages import LANGUAGE_NAMES

            _check(
                self.language in LANGUAGE_NAMES,
                "language",
                "an ISO-639-1 code Whisper knows, such as 'ko' or 'en'",
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
        """The decoder options of a request at fallback step ``step`` of its temperatures."""
        return cls(
            task=options.task,
            language=language,
            beam_size=options.beam_size,
            best_of=options.best_of,
            temperature=options.temperature[step],
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            word_timestamps=options.word_timestamps,
            repetition_penalty=options.repetition_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
        )


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
