"""Every field of every endpoint, sent hostile values: never a 5xx, every 4xx in OpenAI's shape.

The audio is one second of real silence-free noise-free quiet (a short WAV made here), so the
requests that pass validation finish at once (the voice detector finds no speech); what is
under test is validation, not recognition.
"""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from api_support import API_KEY

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.options import on

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "A" * 20_000,
    "-1",
    "1e309",
    "NaN",
    "-inf",
    "99999999999999999999999",
    "true",
    "[]",
    '{"a": 1}',
    "../../etc/passwd",
    "한국어\u202e",
    "%00",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]
FORM_FIELDS = sorted(
    {o.public for o in on("form")}
    | {o.form_field for o in on("form")}
    | {"model", "timestamp_granularities[]", "response_format"}
)
JOB_FIELDS = sorted({o.public for o in on("jobs")} | {"model", "webhook_url"})


def _quiet_wav() -> bytes:
    samples = (np.sin(np.linspace(0, 2 * np.pi * 50, 16000)) * 30).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


WAV = _quiet_wav()


@pytest.fixture(scope="module")
def http(server: BackgroundServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
        yield client


def assert_clean(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}, error
        assert isinstance(error["message"], str) and error["message"]
        assert len(error["message"]) < 2000


@pytest.mark.parametrize("route", ["transcriptions", "translations"])
@pytest.mark.parametrize("field", FORM_FIELDS)
def test_form_fields(http: httpx.Client, route: str, field: str) -> None:
    for value in HOSTILE:
        response = http.post(
            f"/v1/audio/{route}",
            files={"file": ("q.wav", WAV, "audio/wav")},
            data={field: value},
        )
        assert_clean(response)


@pytest.mark.parametrize("field", JOB_FIELDS)
def test_job_form_fields(http: httpx.Client, field: str) -> None:
    for value in HOSTILE:
        response = http.post("/v1/jobs", files={"file": ("q.wav", WAV)}, data={field: value})
        assert_clean(response)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b'{"file": null}',
        b'{"file": 1}',
        b'{"file": ["a"]}',
        b'{"file": "../../etc/passwd"}',
        b'{"file": "\\u0000"}',
        b'{"file": "a", "language": {"x": 1}}',
        b'{"file": "a", "beam_size": [1, 2]}',
        b"{" * 5000,
        json.dumps({"file": "a" * 100_000}).encode(),
    ],
)
def test_job_json_bodies(http: httpx.Client, body: bytes) -> None:
    response = http.post("/v1/jobs", content=body, headers={"Content-Type": "application/json"})
    assert_clean(response)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/jobs/{v}",
        "/v1/jobs/{v}/result",
        "/v1/models/{v}",
        "/v1/vocabularies/{v}",
        "/v1/speakers/{v}",
    ],
)
def test_path_parameters(http: httpx.Client, path: str) -> None:
    for value in ["x", "..", "%2e%2e%2fetc", "%00", "A" * 5000, "한국어", "%ff%fe"]:
        assert_clean(http.get(path.format(v=value)))
    assert_clean(http.delete("/v1/jobs/%00"))
    assert_clean(http.delete("/v1/speakers/%00"))


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/jobs", "status"),
        ("/v1/jobs", "limit"),
        ("/v1/jobs", "cursor"),
        ("/v1/jobs/job_none/result", "format"),
        ("/v1/jobs/job_none/result", "max_line_width"),
        ("/v1/jobs/job_none/result", "max_lines"),
    ],
)
def test_query_parameters(http: httpx.Client, path: str, param: str) -> None:
    for value in HOSTILE:
        assert_clean(http.get(path, params={param: value}))


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b'{"terms": "x"}', b'{"terms": [null]}', b"\xff\xfe", b"{" * 5000],
)
def test_vocabulary_bodies(http: httpx.Client, body: bytes) -> None:
    response = http.put(
        "/v1/vocabularies/hostile", content=body, headers={"Content-Type": "application/json"}
    )
    assert_clean(response)


@pytest.mark.parametrize("body", [b"", b"\x00" * 100, WAV, b"ID3" + b"\xff" * 5000])
def test_voice_profile_bodies(http: httpx.Client, body: bytes) -> None:
    response = http.put("/v1/speakers/hostile", content=body)
    assert_clean(response)
    assert response.status_code == 400  # none is 2 to 10 s of audio


def test_many_references_are_cut_off_while_they_arrive(http: httpx.Client) -> None:
    # sent chunked (no Content-Length): the field parser alone has to stop it
    url = b"data:audio/wav;base64," + b"A" * 2_700_000
    part = b'--b\r\nContent-Disposition: form-data; name="known_speaker_references[]"\r\n\r\n'
    body = [part + url + b"\r\n" for _ in range(5)] + [b"--b--\r\n"]
    response = http.post(
        "/v1/audio/transcriptions",
        content=iter(body),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert_clean(response)
    assert response.json()["error"]["param"] == "known_speaker_references"
    assert "at most 4" in response.json()["error"]["message"]
