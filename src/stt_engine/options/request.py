"""The options one request carries (``TranscribeOptions``), made and checked from the table.

Each field is a ``decode`` row of ``OPTIONS``: its default is the row's, and building the
object checks every value against the row (bounds, choices) and cleans it (``Korean`` -> ``ko``),
so a value means the same on every surface. Only the temperature differs inside: the surfaces
give one temperature, the request keeps the fallback ladder it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from stt_engine.errors import InvalidRequestError
from stt_engine.formats import SubtitleOptions
from stt_engine.options.option import Option, Surface
from stt_engine.options.table import BY_NAME, OPTIONS, on

Task = Literal["transcribe", "translate"]
DEFAULT_TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
_DECODE = tuple(o for o in OPTIONS if o.target == "decode")


def _default(name: str) -> Any:
    return BY_NAME[name].default


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """A request's decoding options, checked against the table when built.

    The defaults guard against Whisper's known failures: no conditioning on previous text
    (repetition loops), compression-ratio / log-prob / no-speech thresholds with temperature
    fallback, VAD on, and the hallucination filter.
    """

    language: str | None = _default("language")
    task: Task = _default("task")  # noqa: RUF009 (a string: immutable)
    beam_size: int = _default("beam_size")
    best_of: int = _default("best_of")
    temperature: tuple[float, ...] = DEFAULT_TEMPERATURES
    initial_prompt: str | None = _default("initial_prompt")
    hotwords: str | None = _default("hotwords")
    word_timestamps: bool = _default("word_timestamps")
    without_timestamps: bool = _default("without_timestamps")
    vad_filter: bool = _default("vad_filter")
    vad_min_silence_ms: int = _default("vad_min_silence_ms")
    vad_threshold: float = _default("vad_threshold")
    batch_size: int = _default("batch_size")  # the CLI's engine batch size; kept in job JSON
    condition_on_previous_text: bool = _default("condition_on_previous_text")
    compression_ratio_threshold: float | None = _default("compression_ratio_threshold")
    log_prob_threshold: float | None = _default("log_prob_threshold")
    no_speech_threshold: float | None = _default("no_speech_threshold")
    hallucination_silence_threshold: float | None = _default("hallucination_silence_threshold")
    repetition_penalty: float = _default("repetition_penalty")
    no_repeat_ngram_size: int = _default("no_repeat_ngram_size")
    filter_hallucinations: bool = _default("filter_hallucinations")
    numbers: str = _default("numbers")  # after decoding: keep, digits or spoken
    redact: str | None = _default("redact")  # kinds to mask; None: the server's default
    vocabulary: str | None = _default("vocabulary")  # hotwords, then its replacements
    diarize: bool = _default("diarize")
    diarize_mode: str = _default("diarize_mode")
    num_speakers: int = _default("num_speakers")  # 0: not known
    min_speakers: int = _default("min_speakers")
    max_speakers: int = _default("max_speakers")
    known_speaker_names: tuple[str, ...] = _default("known_speaker_names")
    known_speaker_references: tuple[str, ...] = _default("known_speaker_references")
    logprobs: bool = _default("logprobs")  # each text token's log-probability
    languages: str | None = _default("languages")  # detection picks among these ("ko,en")
    vad_speech_pad_ms: int = _default("vad_speech_pad_ms")
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        for option in _DECODE:
            if option.name == "temperature":
                continue
            given = getattr(self, option.name)
            checked = option.settle(given)
            if checked != given:
                object.__setattr__(self, option.name, checked)
        _check_ladder(self.temperature)
        if self.diarize:
            from stt_engine.diarize.turns import SpeakerCount

            SpeakerCount(self.num_speakers, self.min_speakers, self.max_speakers)  # checks
        if self.known_speaker_names or self.known_speaker_references:
            from stt_engine.diarize.references import check_pairs

            check_pairs(self.known_speaker_names, self.known_speaker_references)

    @classmethod
    def from_temperature(cls, temperature: float | None, **kwargs: object) -> TranscribeOptions:
        """OpenAI's single temperature: 0 (or none) keeps the fallback ladder from there."""
        if temperature is None or temperature == 0:
            return cls(**kwargs)  # type: ignore[arg-type]
        ladder = tuple(t for t in DEFAULT_TEMPERATURES if t >= temperature) or (temperature,)
        return cls(temperature=ladder, **kwargs)  # type: ignore[arg-type]


def _check_ladder(ladder: tuple[float, ...]) -> None:
    row = BY_NAME["temperature"]
    if not ladder:
        raise InvalidRequestError(
            f"invalid temperature: must be one or more values {row.expected()}",
            param=row.public,
        )
    for step in ladder:
        row.settle(step)


def _check_fields_match_table() -> None:
    """Every decode row is a field and every field (but ``extra``) a decode row."""
    declared = {f.name for f in fields(TranscribeOptions)} - {"extra"}
    rows = {o.name for o in _DECODE}
    if declared != rows:
        raise RuntimeError(f"TranscribeOptions and the table differ: {declared ^ rows}")


_check_fields_match_table()


def from_form(
    get: Callable[[str], str | None],
    *surfaces: Surface,
    fields: Mapping[str, list[str]] | None = None,
) -> dict[str, object]:
    """The given fields of these surfaces (a server request's), parsed and checked; with
    ``fields`` (every value of each field) lists and objects are read too."""
    values: dict[str, object] = {}
    for option in OPTIONS:
        if option.surfaces.isdisjoint(surfaces):
            continue
        if option.shape != "one" and fields is None:
            continue
        raw = option.form_text(fields) if fields is not None else get(option.public)
        value = option.for_server(option.parse(raw))
        if value is not None:
            values[option.name] = value
    return values


def expanded(values: Mapping[str, object]) -> dict[str, object]:
    """The values with what each given field sets filled in (``keywords`` -> ``hotwords``,
    ``chunking_strategy`` -> the VAD options), and fields given together that must not be."""
    result = dict(values)
    for option in OPTIONS:
        given = values.get(option.name)
        if given is None:
            continue
        if option.excludes and values.get(option.excludes) is not None:
            other = BY_NAME[option.excludes].public
            raise InvalidRequestError(
                f"give {other} or {option.public}, not both",
                hint=f"{option.public} lists the languages detection may pick; {other} names "
                "the one language the audio is in",
                param=option.public,
            )
        if option.sets is not None:
            for name, chosen in option.sets(given, result).items():
                result[name] = _settled(BY_NAME[name], chosen, option)
    return result


def _settled(target: Option, chosen: object, source: Option) -> object:
    try:
        return target.settle(chosen)
    except InvalidRequestError as exc:
        raise InvalidRequestError(
            f"invalid {source.public}: {exc.message}", param=source.public
        ) from exc


def value(values: Mapping[str, object], name: str) -> object:
    """An option's value, or its default where it was not given."""
    given = values.get(name)
    return BY_NAME[name].default if given is None else given


def decode_options(values: Mapping[str, object]) -> TranscribeOptions:
    """TranscribeOptions from option values (others in ``values`` are ignored, but for
    what they set)."""
    values = expanded(values)
    decode = {o.name: values[o.name] for o in _DECODE if values.get(o.name) is not None}
    temperature = decode.pop("temperature", None)
    assert temperature is None or isinstance(temperature, int | float)
    return TranscribeOptions.from_temperature(temperature, **decode)


def subtitle_options(values: Mapping[str, object]) -> SubtitleOptions:
    """SubtitleOptions from option values, checked (errors name the field)."""
    chosen = {o.name: o.settle(value(values, o.name)) for o in OPTIONS if o.target == "subtitle"}
    return SubtitleOptions(**chosen)  # type: ignore[arg-type]


# a live session names its speakers turn by turn (realtime/speakers.py), not through the
# decoding request's diarization
_LIVE_ONLY = frozenset({"known_speaker_names", "known_speaker_references"})


def session_options(session: object) -> TranscribeOptions:
    """The request options of a realtime session: its ``realtime`` fields, read by their
    public names (``language``, ``prompt``), the rest the defaults."""
    return decode_options(
        {o.name: getattr(session, o.public) for o in on("realtime") if o.name not in _LIVE_ONLY}
    )
