"""Form fields of a transcription or translation request, checked and turned into options.

OpenAI's fields: ``model``, ``language``, ``prompt``, ``response_format``, ``temperature``,
``timestamp_granularities[]``, ``stream``. Extensions (form fields OpenAI does not have) tune
decoding and subtitles; see ``EXTENSIONS`` and docs/server.md. Unknown fields are ignored, as
OpenAI clients send fields (``include[]``, ``chunking_strategy``) that do not apply here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stt_engine.engine import TranscribeOptions
from stt_engine.engine.backend import Task
from stt_engine.errors import InvalidRequestError
from stt_engine.formats import FORMAT_NAMES, SubtitleOptions
from stt_engine.languages import normalise_language
from stt_engine.server.uploads import UploadedForm

RESPONSE_FORMATS = FORMAT_NAMES
GRANULARITIES = ("word", "segment")


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(f"'{value}' is not true or false")


# extension field -> converter; each is a TranscribeOptions field of the same name
EXTENSIONS: dict[str, Callable[[str], object]] = {
    "beam_size": int,
    "best_of": int,
    "hotwords": str,
    "word_timestamps": parse_bool,
    "vad_filter": parse_bool,
    "vad_min_silence_ms": int,
    "batch_size": int,
    "condition_on_previous_text": parse_bool,
    "compression_ratio_threshold": float,
    "log_prob_threshold": float,
    "no_speech_threshold": float,
    "hallucination_silence_threshold": float,
    "repetition_penalty": float,
    "no_repeat_ngram_size": int,
    "filter_hallucinations": parse_bool,
}
SUBTITLE_FIELDS: dict[str, Callable[[str], object]] = {"max_line_width": int, "max_lines": int}


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    model: str | None  # as the client named it; None for the default
    options: TranscribeOptions
    response_format: str
    stream: bool
    granularities: frozenset[str]
    subtitles: SubtitleOptions


def parse_request(form: UploadedForm, task: Task) -> TranscriptionRequest:
    """Check the fields of one request; raises InvalidRequestError naming the bad field."""
    fmt = (form.get("response_format") or "json").strip()
    if fmt not in RESPONSE_FORMATS:
        raise InvalidRequestError(
            f"unknown response_format '{fmt}': use one of {', '.join(RESPONSE_FORMATS)}",
            param="response_format",
        )
    granularities = _granularities(form)
    options: dict[str, object] = {
        "task": task,
        "language": normalise_language(form.get("language")),
        "initial_prompt": form.get("prompt") or None,
    }
    options.update(_converted(form, EXTENSIONS))
    if "word" in granularities and fmt == "verbose_json":
        options["word_timestamps"] = True
    temperature = _converted(form, {"temperature": float}).get("temperature")
    assert temperature is None or isinstance(temperature, float)
    stream = _converted(form, {"stream": parse_bool}).get("stream", False)
    return TranscriptionRequest(
        model=(form.get("model") or "").strip() or None,
        options=TranscribeOptions.from_temperature(temperature, **options),
        response_format=fmt,
        stream=bool(stream),
        granularities=granularities,
        subtitles=SubtitleOptions(**_converted(form, SUBTITLE_FIELDS)),  # type: ignore[arg-type]
    )


def _granularities(form: UploadedForm) -> frozenset[str]:
    values = form.fields.get("timestamp_granularities[]", []) + form.fields.get(
        "timestamp_granularities", []
    )
    chosen = {v.strip() for value in values for v in value.split(",") if v.strip()}
    unknown = chosen - set(GRANULARITIES)
    if unknown:
        raise InvalidRequestError(
            f"unknown timestamp_granularities {sorted(unknown)}: use word and/or segment",
            param="timestamp_granularities",
        )
    return frozenset(chosen)


def _converted(form: UploadedForm, table: dict[str, Callable[[str], object]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, convert in table.items():
        raw = form.get(name)
        if raw is None or (raw.strip() == "" and convert is not str):
            continue
        try:
            values[name] = convert(raw.strip() if convert is not str else raw)
        except ValueError as exc:
            raise InvalidRequestError(f"invalid {name}: {exc}", param=name) from exc
    return values


def openapi_body(task: Task) -> dict[str, object]:
    """The multipart request body for the OpenAPI document (the route parses it itself)."""
    text, number, integer, boolean = (
        {"type": "string"},
        {"type": "number"},
        {"type": "integer"},
        {"type": "boolean"},
    )
    kinds = {str: text, float: number, int: integer, parse_bool: boolean}
    properties: dict[str, object] = {
        "file": {"type": "string", "format": "binary", "description": "Audio or video file."},
        "model": {**text, "default": "whisper-1"},
        "prompt": text,
        "response_format": {"type": "string", "enum": list(RESPONSE_FORMATS), "default": "json"},
        "temperature": {**number, "minimum": 0, "maximum": 1, "default": 0},
        "stream": {**boolean, "default": False},
    }
    if task == "transcribe":
        properties["language"] = {**text, "description": "ISO-639-1 code, e.g. ko or en."}
        properties["timestamp_granularities[]"] = {
            "type": "array",
            "items": {"type": "string", "enum": list(GRANULARITIES)},
        }
    for name, convert in {**EXTENSIONS, **SUBTITLE_FIELDS}.items():
        properties[name] = {**kinds.get(convert, text), "description": "Extension."}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }
