"""OpenAI Realtime transcription events: client events parsed, server events built.

Both generations are spoken. GA: ``session.update`` with ``session.audio.input``; beta:
``transcription_session.update`` with flat ``input_audio_*`` fields. A session answers in the
generation it was opened with (the ``OpenAI-Beta: realtime=v1`` header) or last updated with.
Field names and shapes are OpenAI's; unknown fields are ignored, wrong values are refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stt_engine.errors import InvalidRequestError
from stt_engine.models.aliases import diarizes
from stt_engine.options import on
from stt_engine.realtime.input_audio import AudioFormat
from stt_engine.realtime.semantic import EAGERNESS_SILENCE_MS
from stt_engine.realtime.turn import TurnSettings

Dialect = Literal["ga", "beta"]
MAX_APPEND_BYTES = 15 * 1024 * 1024  # OpenAI's limit on one append event's base64 text


class EventError(Exception):
    """A bad client event: answered with an ``error`` event, the session goes on."""

    def __init__(self, message: str, *, code: str, param: str | None = None):
        super().__init__(message)
        self.message, self.code, self.param = message, code, param


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """What the session decodes with; updated field by field by the client."""

    audio_format: AudioFormat = field(default_factory=AudioFormat)
    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    turn: TurnSettings | None = field(default_factory=TurnSettings)
    noise_reduction: str | None = None  # near_field / far_field: RNNoise before VAD (denoise.py)
    diarize: bool = False  # speaker labels on completed turns (a "-diarize" model name)
    known_speaker_names: tuple[str, ...] = ()  # known voices (diarizing sessions)
    known_speaker_references: tuple[str, ...] = ()  # their data URLs, or () for saved profiles
    languages: str | None = None  # detection picks among these ("ko,en")
    keywords: tuple[str, ...] | None = None  # decoder hotwords
    logprobs: bool = False  # include: item.input_audio_transcription.logprobs


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PcmFormat(_Params):
    type: Literal["audio/pcm"]
    rate: Literal[8000, 16000, 24000] = 24000


class G711Format(_Params):
    type: Literal["audio/pcmu", "audio/pcma"]


class TranscriptionParams(_Params):
    """The transcription fields; ``language`` and ``prompt`` are checked by the options table,
    as the form fields of the same names are."""

    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    known_speaker_names: list[str] | None = None
    known_speaker_references: list[str] | None = None
    languages: list[str] | None = None
    keywords: list[str] | None = None


class ServerVadParams(_Params):
    type: Literal["server_vad"]
    threshold: float = Field(0.5, gt=0.0, lt=1.0)
    prefix_padding_ms: int = Field(300, ge=0, le=5000)
    silence_duration_ms: int = Field(500, ge=32, le=10000)


class SemanticVadParams(_Params):
    type: Literal["semantic_vad"]
    eagerness: Literal["low", "medium", "high", "auto"] = "auto"


class NoiseParams(_Params):
    type: Literal["near_field", "far_field"]


TurnParams = Annotated[ServerVadParams | SemanticVadParams, Field(discriminator="type")]
FormatParams = Annotated[PcmFormat | G711Format, Field(discriminator="type")]


class AudioInputParams(_Params):
    format: FormatParams | None = None
    transcription: TranscriptionParams | None = None
    turn_detection: TurnParams | None = None
    noise_reduction: NoiseParams | None = None


class AudioParams(_Params):
    input: AudioInputParams | None = None


class GaSessionParams(_Params):
    type: Literal["transcription"]
    audio: AudioParams | None = None
    include: list[str] | None = None


class BetaSessionParams(_Params):
    input_audio_format: Literal["pcm16", "g711_ulaw", "g711_alaw"] | None = None
    input_audio_transcription: TranscriptionParams | None = None
    turn_detection: TurnParams | None = None
    input_audio_noise_reduction: NoiseParams | None = None
    include: list[str] | None = None


LOGPROBS_INCLUDE = "item.input_audio_transcription.logprobs"


def _validate(model: type[_Params], value: object, prefix: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (prefix, *first["loc"]))
        raise EventError(
            f"invalid {where}: {first['msg']}", code="invalid_value", param=where
        ) from exc


def _turn(params: ServerVadParams | SemanticVadParams | None, cut: float) -> TurnSettings | None:
    if params is None:
        return None
    if isinstance(params, SemanticVadParams):
        base = EAGERNESS_SILENCE_MS[params.eagerness]
        return TurnSettings(
            silence_duration_ms=base, max_turn_seconds=cut, eagerness=params.eagerness
        )
    return TurnSettings(params.threshold, params.prefix_padding_ms, params.silence_duration_ms, cut)


def _transcription(
    config: SessionConfig, params: TranscriptionParams | None, prefix: str
) -> SessionConfig:
    if params is None:
        return config
    changes = {name: getattr(params, name) for name in params.model_fields_set}
    _one_of_language_fields(changes, prefix)
    for option in on("realtime"):
        if option.public in changes:
            try:
                changes[option.public] = option.settle(changes[option.public])
            except InvalidRequestError as exc:
                where = f"{prefix}.{option.public}"
                raise EventError(exc.message, code="invalid_value", param=where) from exc
    if "model" in changes:
        changes["diarize"] = diarizing(changes["model"])
    return replace(config, **changes)


def _one_of_language_fields(changes: dict[str, Any], prefix: str) -> None:
    """``language`` or ``languages``, never both; the one given replaces the other."""
    given = [name for name in ("language", "languages") if changes.get(name) is not None]
    if len(given) == 2:
        raise EventError(
            "give language or languages, not both",
            code="invalid_value",
            param=f"{prefix}.languages",
        )
    if given:
        changes["languages" if given[0] == "language" else "language"] = None


def _include(config: SessionConfig, include: list[str] | None) -> SessionConfig:
    return replace(config, logprobs=LOGPROBS_INCLUDE in (include or ()))


def diarizing(model: str | None) -> bool:
    """Whether a session's model name asks for speaker labels (``gpt-4o-transcribe-diarize``,
    or any engine model with ``-diarize`` after its name)."""
    return diarizes(model)


def apply_ga(config: SessionConfig, session: object, cut: float) -> SessionConfig:
    """The config after a GA ``session.update``."""
    params = _validate(GaSessionParams, session, "session")
    if "include" in params.model_fields_set:
        config = _include(config, params.include)
    audio = params.audio.input if params.audio and params.audio.input else None
    if audio is None:
        return config
    fields = audio.model_fields_set
    if audio.format is not None:
        fmt = audio.format
        rate = fmt.rate if isinstance(fmt, PcmFormat) else 8000
        encoding = "pcm16" if isinstance(fmt, PcmFormat) else fmt.type.removeprefix("audio/")
        config = replace(config, audio_format=AudioFormat(encoding, rate))  # type: ignore[arg-type]
    config = _transcription(config, audio.transcription, "session.audio.input.transcription")
    if "turn_detection" in fields:
        config = replace(config, turn=_turn(audio.turn_detection, cut))
    if "noise_reduction" in fields:
        noise = audio.noise_reduction.type if audio.noise_reduction else None
        config = replace(config, noise_reduction=noise)
    return config


def apply_beta(config: SessionConfig, session: object, cut: float) -> SessionConfig:
    """The config after a beta ``transcription_session.update``."""
    params = _validate(BetaSessionParams, session, "session")
    fields = params.model_fields_set
    if "include" in fields:
        config = _include(config, params.include)
    if params.input_audio_format is not None:
        encoding = {"pcm16": "pcm16", "g711_ulaw": "pcmu", "g711_alaw": "pcma"}
        kind = encoding[params.input_audio_format]
        fmt = AudioFormat(kind, 24000 if kind == "pcm16" else 8000)  # type: ignore[arg-type]
        config = replace(config, audio_format=fmt)
    config = _transcription(
        config, params.input_audio_transcription, "session.input_audio_transcription"
    )
    if "turn_detection" in fields:
        config = replace(config, turn=_turn(params.turn_detection, cut))
    if "input_audio_noise_reduction" in fields:
        noise = params.input_audio_noise_reduction
        config = replace(config, noise_reduction=noise.type if noise else None)
    return config


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def _turn_detection(turn: TurnSettings | None) -> dict[str, object] | None:
    if turn is None:
        return None
    if turn.eagerness is not None:
        return {"type": "semantic_vad", "eagerness": turn.eagerness}
    return {
        "type": "server_vad",
        "threshold": turn.threshold,
        "prefix_padding_ms": turn.prefix_padding_ms,
        "silence_duration_ms": turn.silence_duration_ms,
    }


def describe(config: SessionConfig, session_id: str, dialect: Dialect) -> dict[str, object]:
    """The session object of ``session.created``/``.updated`` in the dialect's shape."""
    transcription = {
        "model": config.model,
        "language": config.language,
        "prompt": config.prompt,
        "languages": config.languages.split(",") if config.languages else None,
        "keywords": list(config.keywords) if config.keywords else None,
    }
    include = [LOGPROBS_INCLUDE] if config.logprobs else []
    noise = {"type": config.noise_reduction} if config.noise_reduction else None
    base = {"id": session_id, "object": "realtime.transcription_session"}
    if dialect == "beta":
        return {
            **base,
            "input_audio_format": config.audio_format.describe_beta(),
            "input_audio_transcription": transcription,
            "turn_detection": _turn_detection(config.turn),
            "input_audio_noise_reduction": noise,
            "include": include,
        }
    audio_input = {
        "format": config.audio_format.describe_ga(),
        "transcription": transcription,
        "turn_detection": _turn_detection(config.turn),
        "noise_reduction": noise,
    }
    return {**base, "type": "transcription", "audio": {"input": audio_input}, "include": include}
