"""OpenAI's newer transcription fields and model ids through the official ``openai`` client:
each as that client sends it (``include[]``, ``languages[]``, ``keywords[]``, a
``chunking_strategy`` object), answered as OpenAI answers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from api_support import JFK, KO_SPAGHETTI
from openai import BadRequestError, OpenAI

from stt_engine.models import aliases

pytestmark = pytest.mark.corpus


def _create(client: OpenAI, path: Path = JFK, **fields: Any) -> Any:
    fields.setdefault("model", "whisper-1")
    with path.open("rb") as audio:
        return client.audio.transcriptions.create(file=audio, **fields)


def _tokens_spell(logprobs: list[Any], text: str) -> None:
    assert logprobs and all(lp.logprob <= 0 and math.isfinite(lp.logprob) for lp in logprobs)
    spelled = b"".join(bytes(int(b) for b in lp.bytes) for lp in logprobs).decode("utf-8")
    assert spelled.strip() == text


@pytest.mark.parametrize("model", [m for m in aliases.OPENAI_MODELS if "diarize" not in m])
def test_every_openai_model_id_transcribes(client: OpenAI, model: str) -> None:
    assert "ask not" in _create(client, model=model).text.lower()


def test_models_lists_every_openai_model_id(client: OpenAI) -> None:
    listed = {m.id for m in client.models.list()}
    assert set(aliases.OPENAI_MODELS) <= listed


@pytest.mark.slow
def test_the_diarizing_model_id_labels_speakers(client: OpenAI, two_speakers: Path) -> None:
    result = _create(
        client, two_speakers, model="gpt-4o-transcribe-diarize", response_format="diarized_json"
    )
    assert {s.speaker for s in result.segments} == {"SPEAKER_1", "SPEAKER_2"}


def test_include_logprobs_in_json_and_verbose_json(client: OpenAI) -> None:
    result = _create(client, include=["logprobs"])
    _tokens_spell(result.logprobs, result.text)
    verbose = _create(client, include=["logprobs"], response_format="verbose_json")
    assert verbose.model_dump()["logprobs"] == result.model_dump()["logprobs"]
    assert _create(client).logprobs is None  # only when asked


def test_stream_sends_deltas_with_logprobs_then_done_with_usage(client: OpenAI) -> None:
    events = list(_create(client, include=["logprobs"], stream=True))
    types = [e.type for e in events]
    assert types[-1] == "transcript.text.done" and set(types[:-1]) == {"transcript.text.delta"}
    done = events[-1]
    assert "".join(e.delta for e in events[:-1]).strip() == done.text
    every = [lp for e in events[:-1] for lp in e.logprobs]
    assert [lp.model_dump() for lp in every] == [lp.model_dump() for lp in done.logprobs]
    _tokens_spell(done.logprobs, done.text)
    assert done.usage.type == "duration" and done.usage.seconds == pytest.approx(11.0, abs=0.1)
    plain = list(_create(client, stream=True))
    assert all(getattr(e, "logprobs", None) is None for e in plain)


@pytest.mark.slow
def test_a_diarized_stream_sends_segments_with_speakers(client: OpenAI, two_speakers: Path) -> None:
    events = list(_create(client, two_speakers, model="gpt-4o-transcribe-diarize", stream=True))
    types = [e.type for e in events]
    assert types[-1] == "transcript.text.done"
    assert set(types[:-1]) == {"transcript.text.delta", "transcript.text.segment"}
    # each segment's delta comes first, naming the segment that follows it
    for delta, segment in zip(events[:-1:2], events[1:-1:2], strict=True):
        assert delta.type == "transcript.text.delta" and segment.type == "transcript.text.segment"
        assert delta.segment_id == segment.id and segment.text == delta.delta.strip()
    speakers = {e.speaker for e in events if e.type == "transcript.text.segment"}
    assert speakers == {"SPEAKER_1", "SPEAKER_2"}


def test_languages_restrict_detection(client: OpenAI) -> None:
    both = _create(client, KO_SPAGHETTI, languages=["ko", "en"], response_format="verbose_json")
    assert both.language == "korean"
    assert both.model_dump()["languages"] == [{"code": "ko"}]
    english = _create(client, KO_SPAGHETTI, languages=["en"], response_format="verbose_json")
    assert english.language == "english"
    done = list(_create(client, KO_SPAGHETTI, languages=["ko", "en"], stream=True))[-1]
    assert [lang.code for lang in done.languages] == ["ko"]


def test_language_with_languages_is_refused_naming_the_field(client: OpenAI) -> None:
    with pytest.raises(BadRequestError) as caught:
        _create(client, language="en", languages=["en", "ko"])
    error = caught.value.body
    assert isinstance(error, dict) and error["param"] == "languages"
    assert "not both" in error["message"] and error["type"] == "invalid_request_error"


def test_keywords_guide_the_decoder(client: OpenAI) -> None:
    result = _create(client, KO_SPAGHETTI, language="ko", keywords=["스파게티"])
    assert "스파게티" in result.text


@pytest.mark.parametrize("keyword", ["first\nsecond", "<script>", "a > b"])
def test_bad_keywords_are_refused_in_openais_shape(client: OpenAI, keyword: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        _create(client, keywords=["fine", keyword])
    assert caught.value.status_code == 400
    error = caught.value.body
    assert isinstance(error, dict) and error["param"] == "keywords"
    assert set(error) >= {"message", "type", "param", "code"}


def _cuts(client: OpenAI, strategy: object) -> list[tuple[float, float]]:
    result = _create(client, JFK, chunking_strategy=strategy, response_format="verbose_json")
    return [(s.start, s.end) for s in result.segments]


def test_chunking_strategy_changes_the_cuts(client: OpenAI) -> None:
    auto = _cuts(client, "auto")
    strict = _cuts(
        client,
        {
            "type": "server_vad",
            "threshold": 0.9,
            "prefix_padding_ms": 0,
            "silence_duration_ms": 100,
        },
    )
    assert auto and strict and auto != strict
    assert auto == _cuts(client, {"type": "server_vad"})  # the defaults are auto's


def test_a_bad_chunking_strategy_is_refused(client: OpenAI) -> None:
    with pytest.raises(BadRequestError) as caught:
        _create(client, chunking_strategy={"type": "server_vad", "threshold": "high"})
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["param"] == "chunking_strategy"


def test_a_masked_segment_gives_no_logprobs(client: OpenAI, phone_clip: Path) -> None:
    """Its tokens would spell the masked number again."""
    masked = _create(
        client, phone_clip, language="en", include=["logprobs"], extra_body={"redact": "phone"}
    )
    assert "[PHONE]" in masked.text
    spelled = "".join(lp.token for lp in masked.logprobs)
    assert not any(ch.isdigit() for ch in spelled)
    plain = _create(client, phone_clip, language="en", include=["logprobs"])
    assert any(ch.isdigit() for lp in plain.logprobs for ch in lp.token)
