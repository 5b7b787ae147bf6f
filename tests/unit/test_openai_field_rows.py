"""OpenAI's newer transcription fields, parsed from the form as the official client sends them
(``name[]`` lists, ``name[key]`` objects) through the options table."""

from __future__ import annotations

import pytest

from stt_engine.errors import InvalidRequestError
from stt_engine.models import aliases
from stt_engine.options import BY_NAME, TranscribeOptions
from stt_engine.options.openai_fields import MAX_KEYWORD_CHARS, MAX_KEYWORDS
from stt_engine.server.params import parse_request
from stt_engine.server.uploads import UploadedForm


def _parse(**fields: list[str]) -> TranscribeOptions:
    return parse_request(UploadedForm(fields=dict(fields)), "transcribe").options


def _refused(**fields: list[str]) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        _parse(**fields)
    return caught.value


def test_include_logprobs_turns_on_token_logprobs() -> None:
    assert _parse(**{"include[]": ["logprobs"]}).logprobs is True
    assert _parse().logprobs is False
    error = _refused(**{"include[]": ["tokens"]})
    assert error.param == "include" and "logprobs" in error.message


def test_languages_are_a_checked_list_and_exclude_language() -> None:
    assert _parse(**{"languages[]": ["ko", "English", "ko"]}).languages == "ko,en"
    assert _parse(**{"languages[]": ["ko"]}).language is None
    unknown = _refused(**{"languages[]": ["klingon"]})
    assert unknown.param == "languages"
    both = _refused(language=["ko"], **{"languages[]": ["ko", "en"]})
    assert both.param == "languages" and both.http_status == 400
    assert "language or languages, not both" in both.message


def test_keywords_become_hotwords_after_the_given_ones() -> None:
    options = _parse(hotwords=["Claude"], **{"keywords[]": ["Anthropic", "스파게티 집"]})
    assert options.hotwords == "Claude Anthropic 스파게티 집"


@pytest.mark.parametrize(
    ("keywords", "words"),
    [
        (["two\nlines"], "one line"),
        (["<b>bold</b>"], "without < or >"),
        (["x" * (MAX_KEYWORD_CHARS + 1)], "too long"),
        ([f"k{i}" for i in range(MAX_KEYWORDS + 1)], "too many keywords"),
    ],
)
def test_keywords_are_refused_as_openai_refuses_them(keywords: list[str], words: str) -> None:
    error = _refused(**{"keywords[]": keywords})
    assert error.param == "keywords" and words in error.message
    assert error.to_openai()["error"]["param"] == "keywords"


def test_chunking_strategy_sets_the_vad_options() -> None:
    auto = _parse(chunking_strategy=["auto"], vad_filter=["false"])
    assert auto.vad_filter is True  # "auto" cuts with voice detection
    given = {
        "chunking_strategy[type]": ["server_vad"],
        "chunking_strategy[threshold]": ["0.3"],
        "chunking_strategy[prefix_padding_ms]": ["100"],
        "chunking_strategy[silence_duration_ms]": ["200"],
    }
    options = _parse(**given)  # the official client sends an object as name[key] fields
    assert (options.vad_threshold, options.vad_speech_pad_ms, options.vad_min_silence_ms) == (
        0.3,
        100,
        200,
    )
    as_json = _parse(chunking_strategy=['{"type": "server_vad", "threshold": 0.3}'])
    assert as_json.vad_threshold == 0.3
    assert as_json.vad_min_silence_ms == BY_NAME["vad_min_silence_ms"].default


@pytest.mark.parametrize(
    "fields",
    [
        {"chunking_strategy": ["sometimes"]},
        {"chunking_strategy": ['{"type": "semantic"}']},
        {"chunking_strategy[type]": ["server_vad"], "chunking_strategy[threshold]": ["high"]},
        {"chunking_strategy[type]": ["server_vad"], "chunking_strategy[threshold]": ["1.5"]},
        {"chunking_strategy[type]": ["server_vad"], "chunking_strategy[window]": ["3"]},
    ],
)
def test_a_bad_chunking_strategy_is_refused_naming_it(fields: dict[str, list[str]]) -> None:
    assert _refused(**fields).param == "chunking_strategy"


@pytest.mark.parametrize("model", aliases.OPENAI_MODELS)
def test_openai_model_ids_name_the_default_model(model: str) -> None:
    assert aliases.canonical(model, "base") == "base"
    options = _parse(model=[model])
    assert options.diarize is (model == "gpt-4o-transcribe-diarize")
