"""The options table drives the form parser, the OpenAPI body, the click options and job JSON."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from stt_engine import options
from stt_engine.cli import cli
from stt_engine.cli.flags import form_fields, table_options, table_values
from stt_engine.cli.transcribe import transcribe
from stt_engine.errors import InvalidRequestError
from stt_engine.formats import FORMAT_NAMES, FORMATS, SubtitleOptions
from stt_engine.jobs.record import options_from_json, options_to_json
from stt_engine.options import DEFAULT_TEMPERATURES, OPTIONS, Option, TranscribeOptions
from stt_engine.server.params import openapi_body, parse_request
from stt_engine.server.uploads import UploadedForm

_REFERENCE = "data:audio/wav;base64,UklGRg=="  # a data URL's shape (decoded only when used)
# a valid, non-default value for every option: (as typed on a form or command line, parsed)
SAMPLES: dict[str, tuple[str, object]] = {
    "language": ("Korean", "ko"),
    "task": ("translate", "translate"),
    "initial_prompt": ("Hello, world.", "Hello, world."),
    "response_format": ("srt", "srt"),
    "temperature": ("0.4", 0.4),
    "stream": ("true", True),
    "beam_size": ("3", 3),
    "best_of": ("2", 2),
    "hotwords": ("Anthropic Claude", "Anthropic Claude"),
    "word_timestamps": ("true", True),
    "without_timestamps": ("true", True),
    "vad_filter": ("false", False),
    "vad_min_silence_ms": ("250", 250),
    "vad_threshold": ("0.35", 0.35),
    "batch_size": ("8", 8),
    "condition_on_previous_text": ("yes", True),
    "compression_ratio_threshold": ("2.0", 2.0),
    "log_prob_threshold": ("-0.5", -0.5),
    "no_speech_threshold": ("0.5", 0.5),
    "hallucination_silence_threshold": ("2.5", 2.5),
    "repetition_penalty": ("1.1", 1.1),
    "no_repeat_ngram_size": ("3", 3),
    "filter_hallucinations": ("off", False),
    "numbers": ("digits", "digits"),
    "redact": ("Phone, email", "email,phone"),
    "vocabulary": ("meetings-2026", "meetings-2026"),
    "diarize": ("on", True),
    "diarize_mode": ("channels", "channels"),
    "num_speakers": ("3", 3),
    "min_speakers": ("2", 2),
    "max_speakers": ("4", 4),
    "known_speaker_names": ("Lee", ("Lee",)),
    "known_speaker_references": (_REFERENCE, (_REFERENCE,)),
    "max_line_width": ("30", 30),
    "max_lines": ("1", 1),
    "logprobs": ("true", True),
    "include": ("logprobs", ("logprobs",)),
    "languages": ("ko", "ko"),
    "keywords": ("Anthropic", ("Anthropic",)),
    "chunking_strategy": ("auto", "auto"),
    "vad_speech_pad_ms": ("200", 200),
}
# fields that set other options or exclude one (tests/unit/test_openai_fields.py covers them)
SETTING = {o.name for o in OPTIONS if o.sets is not None or o.excludes}
# (field, text) refused on the form, for every form option that can refuse a value
FORM = options.on("form")
BAD: list[tuple[str, str]] = [
    *((o.public, "abc") for o in FORM if o.kind in (int, float)),
    *((o.public, "maybe") for o in FORM if o.kind is bool),
    *((o.public, "nope") for o in FORM if o.choices),
    *((o.public, str(o.maximum + 1)) for o in FORM if o.maximum is not None),
    *((o.public, str(o.minimum - 1)) for o in FORM if o.minimum is not None),
    ("repetition_penalty", "0"),
    ("temperature", "nan"),
    ("redact", "ssn"),
    ("vocabulary", "../secrets"),
]
# the JSON a job stored before the table existed (asdict of TranscribeOptions)
STORED = (
    '{"batch_size": 0, "beam_size": 3, "best_of": 5, "compression_ratio_threshold": 2.4, '
    '"condition_on_previous_text": false, "extra": {}, "filter_hallucinations": true, '
    '"hallucination_silence_threshold": null, "hotwords": null, "initial_prompt": null, '
    '"language": "ko", "log_prob_threshold": -1.0, "no_repeat_ngram_size": 0, '
    '"no_speech_threshold": 0.6, "repetition_penalty": 1.0, "task": "transcribe", '
    '"temperature": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], "vad_filter": true, '
    '"vad_min_silence_ms": 500, "word_timestamps": true}'
)


def _form(names: list[str]) -> UploadedForm:
    """A form giving these options their samples; an engine setting's option (batch_size)
    is left out, as a server refuses it (tests/unit/test_options_surfaces.py)."""
    given = [options.BY_NAME[n] for n in names]
    return UploadedForm(fields={o.public: [SAMPLES[o.name][0]] for o in given if not o.setting})


def _per_request(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if not options.BY_NAME[k].setting}


def _args(option: Option) -> list[str]:
    """Command-line words giving an option its sample value."""
    text, value = SAMPLES[option.name]
    if option.kind is bool:
        flags = option.cli_flag.split("/")
        return [flags[-1] if value is False else flags[0]]
    return [option.cli_flag, text]


def _from_click(surface: options.Surface, args: list[str]) -> dict[str, object]:
    seen: dict[str, object] = {}

    @click.command()
    @table_options(surface)
    def probe(**kw: Any) -> None:
        seen.update(table_values(kw, surface))
        assert not kw, "every keyword argument belongs to the table"

    result = CliRunner().invoke(probe, args)
    assert result.exit_code == 0, result.output
    return seen


def test_the_table_covers_every_decoding_option_with_its_defaults() -> None:
    decode = [o for o in OPTIONS if o.target == "decode"]
    assert {o.name for o in decode} == {f.name for f in fields(TranscribeOptions)} - {"extra"}
    assert {o.name for o in options.on("json")} == {o.name for o in decode}
    assert set(SAMPLES) == {o.name for o in OPTIONS}
    defaults = TranscribeOptions()
    for option in decode:
        if option.name != "temperature":  # one temperature on the surfaces, a ladder inside
            assert option.default == getattr(defaults, option.name), option.name
    assert options.decode_options({}) == defaults
    assert defaults.temperature == DEFAULT_TEMPERATURES
    subtitles = {o.name: o.default for o in OPTIONS if o.target == "subtitle"}
    assert SubtitleOptions(**subtitles) == SubtitleOptions()  # type: ignore[arg-type]
    assert options.BY_NAME["response_format"].choices == FORMAT_NAMES == tuple(FORMATS)


def test_the_form_parser_takes_every_form_option_by_its_field_name() -> None:
    names = [o.name for o in options.on("form") if o.name not in SETTING]
    parsed = parse_request(_form(names), "transcribe")
    for name in names:
        option = options.BY_NAME[name]
        if option.target == "decode" and name != "temperature" and not option.setting:
            assert getattr(parsed.options, name) == SAMPLES[name][1], name
    assert parsed.options.temperature == (0.4, 0.6, 0.8, 1.0)
    assert parsed.options.initial_prompt == "Hello, world."  # the form field is `prompt`
    assert parsed.options.task == "transcribe"  # the route's, not a form field
    assert (parsed.response_format, parsed.stream) == ("srt", True)
    assert parsed.subtitles == SubtitleOptions(30, 1)


def test_absent_and_empty_fields_keep_the_defaults() -> None:
    empty = UploadedForm(fields={o.public: [""] for o in options.on("form")})
    for form in (UploadedForm(), empty):
        parsed = parse_request(form, "translate")
        assert parsed.options == TranscribeOptions(task="translate")
        assert (parsed.response_format, parsed.stream) == ("json", False)
        assert parsed.subtitles == SubtitleOptions()


@pytest.mark.parametrize(("field", "text"), BAD)
def test_a_bad_value_is_refused_naming_its_field(field: str, text: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(UploadedForm(fields={field: [text]}), "transcribe")
    assert caught.value.param == field
    assert field in caught.value.message


def test_error_messages_keep_their_wording() -> None:
    cases = {
        "beam_size": ("99", "invalid beam_size: must be between 1 and 20"),
        "vad_filter": ("maybe", "invalid vad_filter: 'maybe' is not true or false"),
        "repetition_penalty": ("0", "invalid repetition_penalty: must be above 0"),
        "vad_min_silence_ms": ("-1", "invalid vad_min_silence_ms: must be 0 or more"),
        "response_format": (
            "docx",
            "unknown response_format 'docx': use one of json, text, srt, verbose_json, vtt, tsv, "
            "diarized_json",
        ),
    }
    for field, (text, message) in cases.items():
        with pytest.raises(InvalidRequestError) as caught:
            parse_request(UploadedForm(fields={field: [text]}), "transcribe")
        assert caught.value.message == message


def test_the_jobs_route_reads_task_from_the_table() -> None:
    assert [o.name for o in options.on("jobs")] == ["task"]
    assert options.from_form(_form(["task"]).get, "jobs") == {"task": "translate"}
    with pytest.raises(InvalidRequestError) as caught:
        options.from_form(UploadedForm(fields={"task": ["sing"]}).get, "jobs")
    assert caught.value.param == "task"
    assert options.value({}, "task") == "transcribe"


def test_the_openapi_body_lists_the_form_options_with_their_bounds() -> None:
    def properties(task: str) -> dict[str, Any]:
        body: Any = openapi_body(task)  # type: ignore[arg-type]
        return dict(body["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"])

    transcribe_fields, translate_fields = properties("transcribe"), properties("translate")
    form = {o.form_field for o in options.on("form")}
    transcription_only = {"language", "include[]", "languages[]", "keywords[]"}
    transcription_only |= {"known_speaker_names[]", "known_speaker_references[]"}
    assert set(transcribe_fields) == form | {"file", "model", "timestamp_granularities[]"}
    assert set(translate_fields) == form - transcription_only | {"file", "model"}
    assert transcribe_fields["include[]"]["items"]["enum"] == ["logprobs"]
    assert transcribe_fields["chunking_strategy"]["oneOf"][0] == {
        "type": "string",
        "enum": ["auto"],
    }
    assert transcribe_fields["known_speaker_references[]"]["type"] == "array"
    assert transcribe_fields["known_speaker_references[]"]["maxItems"] == 4
    assert transcribe_fields["beam_size"] == {
        "type": "integer",
        "description": "Extension. Beam width (1: greedy).",
        "minimum": 1,
        "maximum": 20,
        "default": 5,
    }
    assert transcribe_fields["response_format"]["enum"] == list(FORMAT_NAMES)
    assert transcribe_fields["repetition_penalty"]["exclusiveMinimum"] == 0
    assert transcribe_fields["vad_filter"]["type"] == "boolean"
    assert not transcribe_fields["prompt"]["description"].startswith("Extension")


def test_click_options_give_what_the_form_gives() -> None:
    cli_options = options.on("cli")
    values = _from_click("cli", [word for o in cli_options for word in _args(o)])
    assert values == {o.name: SAMPLES[o.name][1] for o in cli_options}
    form = parse_request(_form([o.name for o in cli_options]), "translate")
    assert options.decode_options(_per_request(values)) == form.options
    assert options.subtitle_options(values) == form.subtitles


def test_click_defaults_are_the_table_defaults() -> None:
    values = _from_click("cli", [])
    assert values == {o.name: o.default for o in options.on("cli")}
    assert options.decode_options(values) == TranscribeOptions()


def test_transcribe_keeps_its_flags_and_builds_its_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = {d for p in transcribe.params for d in (*p.opts, *p.secondary_opts)}
    kept = "--language -l --task --word-timestamps --no-vad --beam-size --batch-size"
    assert {*kept.split(), "--max-line-width", "--max-lines", "-f", "-o", "-m"} <= declared
    seen: list[Any] = []
    monkeypatch.setattr("stt_engine.batch.run_local.run_local", lambda *a: seen.append(a))
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    args = ["transcribe", str(audio), "-l", "Korean", "--no-vad", "--beam-size", "3"]
    result = CliRunner().invoke(cli, [*args, "--max-lines", "1", "--task", "translate"])
    assert result.exit_code == 0, result.output
    driver, spec, _ = seen[0]
    assert spec.decode == TranscribeOptions(
        language="ko", task="translate", vad_filter=False, beam_size=3
    )
    assert spec.subtitles == SubtitleOptions(max_lines=1)
    assert spec.formats == ("text",) and driver.out is None  # one file, one format: stdout


def test_jobs_submit_sends_the_table_options_the_server_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: dict[str, Any] = {}

    class Answer:
        def json(self) -> dict[str, str]:
            return {"id": "job_1"}

    def call(self: object, method: str, path: str, **kwargs: Any) -> Answer:
        sent.update(kwargs["data"])
        return Answer()

    monkeypatch.setattr("stt_engine.cli.jobs._Api.call", call)
    audio = tmp_path / "a.flac"
    audio.write_bytes(b"fLaC")
    args = ["jobs", "submit", str(audio), "--language", "ko", "--no-vad", "--beam-size", "3"]
    result = CliRunner().invoke(cli, [*args, "--task", "translate", "--temperature", "0.2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "job_1"
    assert sent == {
        "language": "ko",
        "vad_filter": "false",
        "beam_size": "3",
        "task": "translate",
        "temperature": "0.2",
    }
    form = UploadedForm(fields={k: [v] for k, v in sent.items()})
    task = options.value(options.from_form(form.get, "jobs"), "task")
    parsed = parse_request(form, task)  # type: ignore[arg-type]
    expected = TranscribeOptions.from_temperature(
        0.2, language="ko", vad_filter=False, beam_size=3, task="translate"
    )
    assert parsed.options == expected


def test_form_fields_leave_defaults_out() -> None:
    values = _from_click("submit", [])
    assert form_fields(values) == {}
    per_request = [o for o in options.on("submit") if not o.setting]
    everything = _from_click("submit", [w for o in per_request for w in _args(o)])
    sent = form_fields(everything)
    assert set(sent) == {o.public for o in per_request}
    assert sent["prompt"] == "Hello, world." and sent["filter_hallucinations"] == "false"


def test_job_json_round_trips_every_option() -> None:
    form = _form([o.name for o in options.on("form")] + ["task"])
    values = options.from_form(form.get, "form", "jobs")
    values.update(language=None, languages="en,ko", logprobs=True)  # languages excludes language
    values.update(known_speaker_names=("Lee",), known_speaker_references=(_REFERENCE,))
    stored = options.decode_options(values)
    text = options_to_json(stored)
    assert set(json.loads(text)) == {o.name for o in options.on("json")} | {"extra"}
    assert options_from_json(text) == stored
    assert options_from_json(text).temperature == (0.4, 0.6, 0.8, 1.0)


def test_json_stored_before_the_table_loads_and_keeps_its_fingerprint_text() -> None:
    earlier = TranscribeOptions(language="ko", beam_size=3, word_timestamps=True)
    assert options_from_json(STORED) == earlier
    assert options_to_json(earlier) == STORED  # fingerprints of earlier jobs still match


def test_older_json_with_missing_and_retired_keys_loads() -> None:
    old = {"language": "en", "task": "translate", "beam_size": 2, "patience": 1.0}
    loaded = options_from_json(json.dumps(old))
    assert loaded == TranscribeOptions(language="en", task="translate", beam_size=2)
    assert loaded.temperature == DEFAULT_TEMPERATURES


def test_subtitle_options_name_the_bad_field() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        options.subtitle_options({"max_lines": 11})
    assert caught.value.param == "max_lines"
    assert options.subtitle_options({"max_line_width": None}) == SubtitleOptions()


def test_languages_are_codes_or_names_and_nothing_else() -> None:
    from stt_engine.languages import normalise_language

    assert [normalise_language(v) for v in ("ko", " KO ", "Korean", "한국어", "", None)] == [
        "ko",
        "ko",
        "ko",
        "ko",
        None,
        None,
    ]
    for bad in ("xx", "kor", "한국", "english!", "e" * 500):
        with pytest.raises(InvalidRequestError, match="unknown language") as caught:
            normalise_language(bad)
        assert caught.value.param == "language" and len(caught.value.message) < 200
    with pytest.raises(InvalidRequestError, match="unknown language"):
        TranscribeOptions(language="xx")  # the table's check: the form's message
    assert TranscribeOptions(language="Korean").language == "ko"
