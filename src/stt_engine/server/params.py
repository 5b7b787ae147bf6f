"""Form fields of a transcription or translation request, checked and turned into options.

The fields are those of ``stt_engine.options.OPTIONS`` on the ``form`` surface: OpenAI's
``language``, ``prompt``, ``response_format``, ``temperature`` and ``stream``, and the
extensions that tune decoding and subtitles (docs/server.md). ``model`` and
``timestamp_granularities[]`` are parsed here. Lists come as ``name[]`` fields (every part
of the name is read) and objects (``chunking_strategy``) as ``name[key]`` fields or JSON
text, as OpenAI's client sends them. Unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stt_engine import options
from stt_engine.errors import InvalidRequestError
from stt_engine.formats import SubtitleOptions
from stt_engine.models import aliases
from stt_engine.options import Option, Task, TranscribeOptions
from stt_engine.server.uploads import UploadedForm

GRANULARITIES = ("word", "segment")
Profiles = Callable[[tuple[str, ...]], tuple[str, ...]]  # names -> their saved references
_SCHEMA_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    model: str | None  # as the client named it; None for the default
    options: TranscribeOptions
    response_format: str
    stream: bool
    granularities: frozenset[str]
    subtitles: SubtitleOptions


def parse_request(
    form: UploadedForm, task: Task | None = None, profiles: Profiles | None = None
) -> TranscriptionRequest:
    """Check the fields of one request; raises InvalidRequestError naming the bad field.

    ``task`` is the route's (transcriptions or translations); without one the fields are
    those of a job, whose ``task`` is a field. Known speakers named without references get
    them from ``profiles`` (the caller's saved voice profiles). Reads files: call it from a
    worker thread.
    """
    surfaces: tuple[options.Surface, ...] = ("form",) if task else ("form", "jobs")
    values = options.from_form(form.get, *surfaces, fields=form.fields)
    task = task or options.value(values, "task")  # type: ignore[assignment]
    model = (form.get("model") or "").strip() or None
    fmt = str(options.value(values, "response_format"))
    granularities = _granularities(form)
    if "word" in granularities and fmt == "verbose_json":
        values["word_timestamps"] = True
    if fmt == "diarized_json" or aliases.diarizes(model):
        values["diarize"] = True
    _known_speakers(values, profiles)
    return TranscriptionRequest(
        model=model,
        options=options.decode_options({**values, "task": task}),
        response_format=fmt,
        stream=bool(options.value(values, "stream")),
        granularities=granularities,
        subtitles=options.subtitle_options(values),
    )


def _known_speakers(values: dict[str, object], profiles: Profiles | None) -> None:
    """Names without references take saved profiles; known speakers need diarization."""
    names = values.get("known_speaker_names")
    if not names:
        return
    if not values.get("diarize"):
        raise InvalidRequestError(
            "known_speaker_names need diarization",
            hint="send response_format=diarized_json or diarize=true",
            param="known_speaker_names",
        )
    assert isinstance(names, tuple)
    if not values.get("known_speaker_references") and profiles is not None:
        values["known_speaker_references"] = profiles(names)


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


def openapi_body(task: Task) -> dict[str, object]:
    """The multipart request body for the OpenAPI document (the route parses it itself)."""
    properties: dict[str, object] = {
        "file": {"type": "string", "format": "binary", "description": "Audio or video file."},
        "model": {"type": "string", "default": "whisper-1"},
    }
    for option in options.on("form"):
        if task in option.schema_tasks:
            properties[option.form_field] = field_schema(option)
    if task == "transcribe":
        properties["timestamp_granularities[]"] = {
            "type": "array",
            "items": {"type": "string", "enum": list(GRANULARITIES)},
        }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


def field_schema(option: Option) -> dict[str, object]:
    """One form field's JSON schema: type, enum or bounds, default, and the help text."""
    schema: dict[str, object] = {
        "type": _SCHEMA_TYPES[option.kind],
        "description": option.help if option.openai else f"Extension. {option.help}",
    }
    if option.choices:
        schema["enum"] = list(option.choices)
    if option.minimum is not None:
        schema["exclusiveMinimum" if option.above else "minimum"] = option.minimum
    if option.maximum is not None:
        schema["maximum"] = option.maximum
    if option.default is not None:
        schema["default"] = option.default
    if option.shape == "list":
        items = {k: schema.pop(k) for k in ("type", "enum") if k in schema}
        schema = {"type": "array", "items": items, **schema}
        if option.most:
            schema["maxItems"] = option.most
        if schema.get("default") == ():
            schema.pop("default")
    elif option.shape == "object":
        schema.pop("type")
        schema["oneOf"] = [{"type": "string", "enum": ["auto"]}, {"type": "object"}]
    return schema
