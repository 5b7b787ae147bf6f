"""One option of a request: its type, default, bounds or choices, help, and the surfaces that
expose it; how a given value or a field's text becomes a checked value.

Surfaces:

- ``form``: a form field of /v1/audio/transcriptions and /translations (and so of /v1/jobs);
- ``jobs``: a form (or JSON) field of /v1/jobs only;
- ``cli``: an option of ``stt-engine transcribe`` and ``stt-engine batch``;
- ``submit``: an option of ``stt-engine jobs submit``, sent to the server as a form field;
- ``json``: a key of the decoding options a job stores;
- ``realtime``: a transcription field of a realtime session (``session.update`` and the
  ``/v1/audio/stream`` query);
- ``bench``: a decoding flag of ``stt-engine bench accuracy`` and ``bench speed`` (the engine and
  raw faster-whisper decode alike).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from stt_engine.errors import InvalidRequestError, quoted

Surface = Literal["form", "jobs", "cli", "submit", "json", "realtime", "bench"]
Target = Literal["decode", "subtitle", "request"]
Shape = Literal["one", "list", "object"]  # a field's text, `name[]` repeated, `name[key]` keys
TASKS = ("transcribe", "translate")
DECODE: frozenset[Surface] = frozenset({"form", "cli", "submit", "json"})


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(f"{quoted(value)} is not true or false")


@dataclass(frozen=True, slots=True)
class Option:
    """One option: what it is, where it may be given, and how its text becomes a value."""

    name: str  # the TranscribeOptions / SubtitleOptions field, or the request's field
    kind: type  # str, int, float or bool
    default: object
    help: str
    surfaces: frozenset[Surface] = DECODE
    target: Target = "decode"
    minimum: float | None = None
    maximum: float | None = None
    above: bool = False  # the minimum itself is not allowed
    below: bool = False  # the maximum itself is not allowed
    choices: tuple[str, ...] = ()
    field: str = ""  # the form field and CLI flag stem, where not `name`
    flag: str = ""  # the click declaration, where not derived from the field
    short: str = ""  # a one-letter CLI alias
    clean: Callable[[Any], Any] | None = None  # applied to a given value (after checks)
    openai: bool = False  # a field OpenAI's API defines (the others are extensions)
    schema_tasks: tuple[str, ...] = TASKS  # the endpoints whose OpenAPI body lists it
    setting: str = ""  # the engine setting it sets on the CLI; a server request keeps the default
    added_later: bool = False  # in job JSON only when not the default (earlier fingerprints hold)
    shape: Shape = "one"  # how the form gives it (a list: `name[]` repeated, or `name`)
    sets: Callable[[Any, dict[str, object]], dict[str, object]] | None = None  # other options
    excludes: str = ""  # an option a request may not give with this one
    most: int = 0  # a list of at most this many items (0: no bound but the list's own checks)

    def form_text(self, fields: Mapping[str, list[str]]) -> object:
        """The raw form value of this option: the field's text, every item of a list, or an
        object's ``name[key]`` fields (as OpenAI's client sends a dict) as JSON text."""
        name = self.public
        if self.shape == "list":
            return [*fields.get(f"{name}[]", []), *fields.get(name, [])] or None
        given = fields.get(name)
        if given or self.shape == "one":
            return given[-1] if given else None
        prefix = f"{name}["
        keyed = {k[len(prefix) : -1]: v[-1] for k, v in fields.items() if k.startswith(prefix)}
        return json.dumps(keyed) if keyed else None

    @property
    def public(self) -> str:
        """The name clients and users see: the form field, the error's param."""
        return self.field or self.name

    @property
    def form_field(self) -> str:
        """The form field a client sends: ``name[]`` for a list, as OpenAI's clients do."""
        return self.public + "[]" if self.shape == "list" else self.public

    @property
    def cli_flag(self) -> str:
        if self.flag:
            return self.flag
        dashed = "--" + self.public.replace("_", "-")
        if self.kind is bool and self.default:
            return f"{dashed}/--no-{dashed[2:]}"
        return dashed

    def expected(self) -> str:
        """The allowed values in words, as error messages give them."""
        low, high = _number(self.minimum), _number(self.maximum)
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if low is not None and high is not None:
            if self.above or self.below:
                lower = f"above {low}" if self.above else f"{low} or more"
                return f"{lower} and " + (f"below {high}" if self.below else f"{high} or less")
            return f"between {low} and {high}"
        if low is not None:
            return f"above {low}" if self.above else f"{low} or more"
        if high is not None:
            return f"below {high}" if self.below else f"{high} or less"
        return "any value"

    def settle(self, value: object) -> object:
        """A given value checked against the bounds or choices, then cleaned."""
        if value is None:
            return None
        if isinstance(value, list | tuple):
            self._check_count(len(value))
        if self.choices and value not in self.choices:
            raise InvalidRequestError(
                f"unknown {self.public} {quoted(value)}: use {self.expected()}", param=self.public
            )
        if not self._in_bounds(value):
            raise InvalidRequestError(
                f"invalid {self.public}: must be {self.expected()}", param=self.public
            )
        return self.clean(value) if self.clean is not None else value

    def parse(self, raw: object) -> object:
        """A form field's text (a list's items) as a checked value; None when absent or
        left empty."""
        if self.shape == "list":
            return self._parse_items(raw)
        assert raw is None or isinstance(raw, str)
        text = raw if raw is None or (self.kind is str and not self.choices) else raw.strip()
        if text is None or text == "":
            return None
        convert: Callable[[str], object] = parse_bool if self.kind is bool else self.kind
        try:
            value = convert(text)
        except ValueError as exc:
            raise InvalidRequestError(
                f"invalid {self.public}: {_not_a(self.kind, text, exc)}", param=self.public
            ) from exc
        return self.settle(value)

    def _parse_items(self, raw: object) -> object:
        items = [raw] if isinstance(raw, str) else list(raw or ())  # type: ignore[call-overload]
        kept = tuple(str(item).strip() for item in items if str(item).strip())
        if not kept:
            return None
        self._check_count(len(kept))
        for item in kept:
            if self.choices and item not in self.choices:
                raise InvalidRequestError(
                    f"unknown {self.public} {quoted(item)}: use {self.expected()}",
                    param=self.public,
                )
        return self.clean(kept) if self.clean is not None else kept

    def _check_count(self, count: int) -> None:
        if self.most and count > self.most:
            raise InvalidRequestError(
                f"too many {self.public}: at most {self.most}, got {count}", param=self.public
            )

    def for_server(self, value: object) -> object:
        """A value a server request gives: an engine setting's option may only keep its
        default, as the server's setting decides for every request."""
        if self.setting and value is not None and value != self.default:
            raise InvalidRequestError(
                f"{self.public} is the server's {self.setting} setting; a request cannot set it",
                hint=f"leave {self.public} out, or set the server's {self.setting} "
                f"(STT_ENGINE_{self.setting.upper()}, serve --{self.setting.replace('_', '-')})",
                param=self.public,
            )
        return value

    def _in_bounds(self, value: object) -> bool:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return True
        low = self.minimum if self.minimum is not None else value
        high = self.maximum if self.maximum is not None else value
        if self.above and self.minimum is not None and value == self.minimum:
            return False
        if self.below and self.maximum is not None and value == self.maximum:
            return False
        return bool(low <= value <= high)  # False for NaN


def _not_a(kind: type, text: str, exc: ValueError) -> str:
    """Why a field's text is not of its kind, quoting the text bounded."""
    if kind is int:
        return f"{quoted(text)} is not a whole number"
    if kind is float:
        return f"{quoted(text)} is not a number"
    return str(exc)  # parse_bool's message quotes the value already


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"
