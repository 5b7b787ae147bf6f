"""The result types every backend produces and every writer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: tuple[int, ...] = ()
    temperature: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0
    no_speech_prob: float = 0.0
    words: tuple[Word, ...] | None = None


@dataclass(frozen=True, slots=True)
class TranscriptionInfo:
    language: str
    language_probability: float
    duration: float
    duration_after_vad: float
    task: str = "transcribe"


@dataclass(frozen=True, slots=True)
class Transcript:
    info: TranscriptionInfo
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments).strip()

    @property
    def language(self) -> str:
        return self.info.language

    @property
    def duration(self) -> float:
        return self.info.duration

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in (s.words or ()))
