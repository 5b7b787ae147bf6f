"""Number formatting, masking and vocabularies through the live API on real speech.

The phone-number clip (``phone_clip``, tests/conftest.py) is synthesised at test time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import API_KEY, AUDIO
from openai import BadRequestError, NotFoundError, OpenAI

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.text.postprocess import PostProcess, postprocess

KO_FARES = AUDIO / "ko/emotiontts/Main/main/lmy/lmy02084.flac"  # 편도 요금은 70만 원이고 ...
KO_YACHTS = (
    AUDIO / "ko/emotiontts/Main/main/lmy/lmy01047.flac"
)  # ... 크루저 스무대, 딩기 스무대 ...
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def _create(client: OpenAI, clip: Path, **kwargs: object) -> object:
    with clip.open("rb") as audio:
        return client.audio.transcriptions.create(file=audio, model="whisper-1", **kwargs)  # type: ignore[call-overload]


def test_the_clip_really_holds_the_number(client: OpenAI, phone_clip: Path) -> None:
    plain = _create(client, phone_clip, language="en")
    assert "5551234567" in plain.text.replace("-", "").replace(" ", "")  # type: ignore[attr-defined]


def test_json_masks_and_counts(client: OpenAI, phone_clip: Path) -> None:
    result = _create(client, phone_clip, language="en", extra_body={"redact": "phone,email"})
    assert "[PHONE]" in result.text  # type: ignore[attr-defined]
    assert not any(ch.isdigit() for ch in result.text)  # type: ignore[attr-defined]
    assert result.redactions == {"email": 0, "phone": 1}  # type: ignore[attr-defined]


def test_srt_and_words_are_masked(client: OpenAI, phone_clip: Path) -> None:
    srt = _create(client, phone_clip, language="en", response_format="srt",
                  extra_body={"redact": "phone"})  # fmt: skip
    assert "[PHONE]" in str(srt) and "555" not in str(srt)
    verbose = _create(
        client,
        phone_clip,
        language="en",
        response_format="verbose_json",
        timestamp_granularities=["word"],
        extra_body={"redact": "phone"},
    )
    words = [w.word.strip() for w in verbose.words]  # type: ignore[attr-defined]
    masked = [w for w in verbose.words if "[PHONE]" in w.word]  # type: ignore[attr-defined]
    assert len(masked) == 1 and masked[0].end > masked[0].start
    assert not any(ch.isdigit() for w in words for ch in w)


def test_the_stream_is_masked(client: OpenAI, phone_clip: Path) -> None:
    with phone_clip.open("rb") as audio:
        stream = client.audio.transcriptions.create(
            file=audio, model="whisper-1", language="en", stream=True,
            extra_body={"redact": "phone"},
        )  # fmt: skip
        events = list(stream)
    deltas = "".join(e.delta for e in events if e.type == "transcript.text.delta")
    done = [e.text for e in events if e.type == "transcript.text.done"]
    assert "[PHONE]" in deltas and done and "[PHONE]" in done[0]
    assert "555" not in deltas


def test_metrics_count_by_kind(client: OpenAI, phone_clip: Path, server: BackgroundServer) -> None:
    _create(client, phone_clip, language="en", extra_body={"redact": "phone"})
    metrics = httpx.get(f"{server.url}/metrics", timeout=30).text
    line = next(
        x for x in metrics.splitlines() if x.startswith('stt_redactions_total{kind="phone"}')
    )
    assert float(line.split()[-1]) >= 1
    assert "5551234567" not in metrics


@pytest.mark.corpus
def test_numbers_spoken_on_korean_speech(client: OpenAI) -> None:
    # the model writes "70만 원" or "70만원" depending on the CPU's int8 arithmetic
    kept = _create(client, KO_FARES, language="ko")
    assert re.search(r"70만 ?원", kept.text)  # type: ignore[attr-defined]
    spoken = _create(client, KO_FARES, language="ko", extra_body={"numbers": "spoken"})
    assert re.search(r"칠십만 ?원", spoken.text) and "70" not in spoken.text  # type: ignore[attr-defined]


@pytest.mark.corpus
def test_numbers_digits_on_korean_speech(client: OpenAI) -> None:
    plain = _create(client, KO_YACHTS, language="ko").text  # type: ignore[attr-defined]
    digits = _create(client, KO_YACHTS, language="ko", extra_body={"numbers": "digits"})
    assert digits.text == postprocess(plain, PostProcess(numbers="digits"))  # type: ignore[attr-defined]
    assert digits.text != plain and "20대" in digits.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [("redact", "ssn", 400), ("numbers", "roman", 400), ("vocabulary", "../etc", 400),
     ("vocabulary", "no-such-vocabulary", 404)],
)  # fmt: skip
@pytest.mark.corpus
def test_bad_values_name_the_field(client: OpenAI, field: str, value: str, status: int) -> None:
    error = BadRequestError if status == 400 else NotFoundError
    with pytest.raises(error) as raised:
        _create(client, KO_FARES, extra_body={field: value})
    assert raised.value.body["param"] == field  # type: ignore[index]


@pytest.fixture
def vocabulary(server: BackgroundServer) -> Iterator[str]:
    body = {"terms": ["KTX", "편도"], "replacements": {"왕복": "왕복(KTX)"}}
    response = httpx.put(f"{server.url}/v1/vocabularies/fares", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    yield "fares"


def test_vocabularies_are_stored_listed_and_read(server: BackgroundServer, vocabulary: str) -> None:
    listed = httpx.get(f"{server.url}/v1/vocabularies", headers=AUTH).json()
    assert {"object": "vocabulary", "name": vocabulary} in listed["data"]
    one = httpx.get(f"{server.url}/v1/vocabularies/{vocabulary}", headers=AUTH).json()
    assert one["terms"] == ["KTX", "편도"] and one["replacements"] == {"왕복": "왕복(KTX)"}


@pytest.mark.corpus
def test_a_vocabulary_fixes_the_transcript(client: OpenAI, vocabulary: str) -> None:
    result = _create(client, KO_FARES, language="ko", extra_body={"vocabulary": vocabulary})
    assert "왕복(KTX) 요금은" in result.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "message"),
    [("not json", "not valid JSON"), (json.dumps({"terms": "KTX"}), "list"),
     (json.dumps({"terms": [], "spelling": {}}), "unknown vocabulary key"),
     (json.dumps({"replacements": {"a": 3}}), "non-empty strings"), (json.dumps([1]), "object")],
)  # fmt: skip
def test_bad_vocabularies_are_refused(server: BackgroundServer, body: str, message: str) -> None:
    response = httpx.put(f"{server.url}/v1/vocabularies/bad", content=body, headers=AUTH)
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"] and error["param"] == "vocabulary"


def test_vocabularies_need_a_key_and_a_real_name(server: BackgroundServer) -> None:
    assert httpx.get(f"{server.url}/v1/vocabularies").status_code == 401
    missing = httpx.get(f"{server.url}/v1/vocabularies/absent", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "vocabulary"
    bad = httpx.put(f"{server.url}/v1/vocabularies/a%20b", json={"terms": []}, headers=AUTH)
    assert bad.status_code == 400
