"""One table of transcription options; the server, the CLI and the job store derive from it.

Each ``Option`` is a ``TranscribeOptions`` field (target ``decode``), a ``SubtitleOptions``
field (``subtitle``) or a field of the request itself (``request``): its type, default,
bounds or choices, help text, and the surfaces that expose it:

- ``form``: a form field of /v1/audio/transcriptions and /translations (and so of /v1/jobs);
- ``jobs``: a form (or JSON) field of /v1/jobs only;
- ``cli``: an option of ``stt-engine transcribe``;
- ``submit``: an option of ``stt-engine jobs submit``, sent to the server as a form field;
- ``json``: a key of the decoding options a job stores.

Derived from ``OPTIONS``: the form parser and the OpenAPI body (server/params.py), the click
options (cli/options.py) and the job JSON (jobs/record.py). Kept free of the inference
libraries so that ``stt-engine transcribe --help`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from stt_engine.errors import InvalidRequestError, quoted
from stt_engine.formats import FORMAT_NAMES, SubtitleOptions
from stt_engine.languages import normalise_language
from stt_engine.text.itn import NUMBER_MODES
from stt_engine.text.redact import canonical_kinds
from stt_engine.text.vocabulary import check_name

if TYPE_CHECKING:
    from stt_engine.engine.backend import TranscribeOptions

Surface = Literal["form", "jobs", "cli", "submit", "json"]
Target = Literal["decode", "subtitle", "request"]
FORM: frozenset[Surface] = frozenset({"form"})
DECODE: frozenset[Surface] = frozenset({"form", "cli", "submit", "json"})
SUBTITLE: frozenset[Surface] = frozenset({"form", "cli"})
TASKS = ("transcribe", "translate")


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
    choices: tuple[str, ...] = ()
    field: str = ""  # the form field and CLI flag stem, where not `name`
    flag: str = ""  # the click declaration, where not derived from the field
    short: str = ""  # a one-letter CLI alias
    clean: Callable[[Any], Any] | None = None  # applied to a given value (after checks)
    openai: bool = False  # a field OpenAI's API defines (the others are extensions)
    schema_tasks: tuple[str, ...] = TASKS  # the endpoints whose OpenAPI body lists it

    @property
    def public(self) -> str:
        """The name clients and users see: the form field, the error's param."""
        return self.field or self.name

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
            return f"between {low} and {high}"
        if low is not None:
            return f"above {low}" if self.above else f"{low} or more"
        return f"{high} or less" if high is not None else "any value"

    def settle(self, value: object) -> object:
        """A given value checked against the bounds or choices, then cleaned."""
        if value is None:
            return None
        if self.choices and value not in self.choices:
            raise InvalidRequestError(
                f"unknown {self.public} {quoted(value)}: use {self.expected()}", param=self.public
            )
        if not self._in_bounds(value):
            raise InvalidRequestError(
                f"invalid {self.public}: must be {self.expected()}", param=self.public
            )
        return self.clean(value) if self.clean is not None else value

    def parse(self, raw: str | None) -> object:
        """A form field's text as a checked value; None when absent or left empty."""
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

    def _in_bounds(self, value: object) -> bool:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return True
        low = self.minimum if self.minimum is not None else value
        high = self.maximum if self.maximum is not None else value
        if self.above and self.minimum is not None and value == self.minimum:
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


OPTIONS: tuple[Option, ...] = (
    Option(
        "language",
        str,
        None,
        "ISO-639-1 code (ko, en) or English name (Korean); default: detect.",
        short="-l",
        clean=normalise_language,
        openai=True,
        schema_tasks=("transcribe",),  # translations accept it too: the spoken language
    ),
    Option(
        "task",
        str,
        "transcribe",
        "transcribe, or translate into English.",
        surfaces=frozenset({"jobs", "cli", "submit", "json"}),
        choices=TASKS,
    ),
    Option(
        "initial_prompt",
        str,
        None,
        "Text that guides spelling and style (Whisper's initial prompt).",
        field="prompt",
        openai=True,
    ),
    Option(
        "response_format",
        str,
        "json",
        "Response format.",
        FORM,
        "request",
        choices=FORMAT_NAMES,
        openai=True,
    ),
    Option(
        "temperature",
        float,
        0.0,
        "0 keeps the fallback ladder 0, 0.2 ... 1.0; t > 0 starts the ladder at t (a step "
        "above 0 is a beam search with a stronger repetition penalty: never sampled).",
        minimum=0,
        maximum=1,
        openai=True,
    ),
    Option(
        "stream",
        bool,
        False,
        "Answer with server-sent events, one per segment.",
        FORM,
        "request",
        openai=True,
    ),
    Option("beam_size", int, 5, "Beam width (1: greedy).", minimum=1, maximum=20),
    Option(
        "best_of", int, 5, "Accepted for compatibility (nothing is sampled).", minimum=1, maximum=20
    ),
    Option("hotwords", str, None, "Words and names to favour, separated by spaces."),
    Option("word_timestamps", bool, False, "Time every word."),
    Option(
        "without_timestamps",
        bool,
        False,
        "Decode text only (no timestamp tokens); a segment per speech chunk.",
    ),
    Option("vad_filter", bool, True, "Skip silence with voice detection.", flag="--vad/--no-vad"),
    Option("vad_min_silence_ms", int, 500, "Shortest silence VAD cuts at (ms).", minimum=0),
    Option(
        "vad_threshold",
        float,
        0.5,
        "Speech probability VAD keeps (lower keeps more: 0.35 helps phone and noisy audio).",
        minimum=0.0,
        maximum=1.0,
        above=True,
    ),
    Option(
        "batch_size",
        int,
        0,
        "Most speech chunks in one decoder call (0: 4 on CPU, 16 on GPU); the server's "
        "batch_size setting decides for requests.",
        minimum=0,
        maximum=256,
    ),
    Option("condition_on_previous_text", bool, False, "Prompt each window with the last text."),
    Option("compression_ratio_threshold", float, 2.4, "Retry hotter above this gzip ratio."),
    Option("log_prob_threshold", float, -1.0, "Retry hotter below this mean log-probability."),
    Option("no_speech_threshold", float, 0.6, "Treat a window as silent above this no-speech."),
    Option(
        "hallucination_silence_threshold",
        float,
        None,
        "Skip silences over this many seconds around suspected hallucinations.",
    ),
    Option("repetition_penalty", float, 1.0, "Penalty on repeated tokens.", minimum=0, above=True),
    Option("no_repeat_ngram_size", int, 0, "Forbid repeating n-grams of this size (0: off)."),
    Option("filter_hallucinations", bool, True, "Drop segments that look like hallucinations."),
    Option(
        "numbers",
        str,
        "keep",
        "Numbers after decoding: keep, digits (2026년, 7시, 010-1234-5678, 25) or spoken.",
        choices=NUMBER_MODES,
    ),
    Option(
        "redact",
        str,
        None,
        "Mask personal data: phone, rrn, card, account, email, name, all or none "
        "(comma-separated; default: the server's redact setting).",
        clean=canonical_kinds,
    ),
    Option(
        "vocabulary",
        str,
        None,
        "A named custom vocabulary: its terms guide decoding, its replacements fix the text.",
        clean=check_name,
    ),
    Option("diarize", bool, False, "Label segments and words with their speaker."),
    Option(
        "diarize_mode",
        str,
        "auto",
        "How speakers are found: cluster (by voice), channels (one party per channel of a "
        "stereo call) or auto (channels for a stereo file whose channels hold different "
        "voices, else cluster).",
        choices=("auto", "cluster", "channels"),
    ),
    Option(
        "num_speakers",
        int,
        0,
        "The number of speakers, when known (diarization; 0: find out).",
        minimum=0,
        maximum=15,
    ),
    Option("min_speakers", int, 0, "At least this many speakers (0: any).", minimum=0, maximum=15),
    Option("max_speakers", int, 0, "At most this many speakers (0: any).", minimum=0, maximum=15),
    Option(
        "max_line_width",
        int,
        42,
        "Subtitle line width in display columns.",
        SUBTITLE,
        "subtitle",
        minimum=10,
        maximum=200,
    ),
    Option(
        "max_lines",
        int,
        2,
        "Subtitle lines per cue.",
        SUBTITLE,
        "subtitle",
        minimum=1,
        maximum=10,
    ),
)
BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}


def on(surface: Surface) -> tuple[Option, ...]:
    """The options a surface exposes, in table order."""
    return tuple(option for option in OPTIONS if surface in option.surfaces)


def from_form(get: Callable[[str], str | None], *surfaces: Surface) -> dict[str, object]:
    """The given fields of these surfaces, parsed and checked, by option name."""
    values: dict[str, object] = {}
    for option in OPTIONS:
        if option.surfaces.isdisjoint(surfaces):
            continue
        value = option.parse(get(option.public))
        if value is not None:
            values[option.name] = value
    return values


def value(values: Mapping[str, object], name: str) -> object:
    """An option's value, or its default where it was not given."""
    given = values.get(name)
    return BY_NAME[name].default if given is None else given


def decode_options(values: Mapping[str, object]) -> TranscribeOptions:
    """TranscribeOptions from option values (others in ``values`` are ignored)."""
    from stt_engine.engine.backend import TranscribeOptions

    decode = {
        o.name: values[o.name]
        for o in OPTIONS
        if o.target == "decode" and values.get(o.name) is not None
    }
    temperature = decode.pop("temperature", None)
    assert temperature is None or isinstance(temperature, int | float)
    return TranscribeOptions.from_temperature(temperature, **decode)


def subtitle_options(values: Mapping[str, object]) -> SubtitleOptions:
    """SubtitleOptions from option values, checked (errors name the field)."""
    chosen = {o.name: o.settle(value(values, o.name)) for o in OPTIONS if o.target == "subtitle"}
    return SubtitleOptions(**chosen)  # type: ignore[arg-type]
