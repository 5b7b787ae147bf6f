"""The result types every backend produces and every writer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float
    end: float
    probability: float = 1.0
    speaker: str | None = None  # SPEAKER_1, ... when diarized


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One decoded text token: its text, its log-probability, and its raw UTF-8 bytes (a
    Korean character may span two tokens, so a token's text alone may not be valid)."""

    token: str
    logprob: float
    bytes: tuple[int, ...] = ()


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
    redactions: tuple[tuple[str, int], ...] = ()  # (kind, count) masked in this segment
    speaker: str | None = None  # SPEAKER_1, ... when diarized
    logprobs: tuple[TokenLogprob, ...] | None = None  # its text tokens, when asked


@dataclass(frozen=True, slots=True)
class TranscriptionInfo:
    language: str
    language_probability: float
    duration: float
    duration_after_vad: float
    task: str = "transcribe"
    redact: tuple[str, ...] = ()  # the kinds masked (their counts are on the segments)


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
    def redactions(self) -> dict[str, int]:
        """Masked items by kind, over every segment."""
        counts: dict[str, int] = {}
        for segment in self.segments:
            for kind, count in segment.redactions:
                counts[kind] = counts.get(kind, 0) + count
        return counts

    @property
    def logprobs(self) -> tuple[TokenLogprob, ...] | None:
        """Every text token's log-probability, when they were asked for."""
        if not any(s.logprobs is not None for s in self.segments):
            return None
        return tuple(t for s in self.segments for t in (s.logprobs or ()))

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in (s.words or ()))
