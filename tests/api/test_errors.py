"""Every failure answers with OpenAI's error object and the right status."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import openai
import pytest
from api_support import API_KEY, JFK, KO_SPAGHETTI, LONG_EN, not_audio, upload_files
from openai import OpenAI

from stt_engine.bench.local_server import BackgroundServer


def assert_openai_error(body: object, code: str, param: str | None = None) -> None:
    assert isinstance(body, dict)
    assert set(body) == {"message", "type", "param", "code"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if param is not None:
        assert body["param"] == param


def post(
    server: BackgroundServer, files: dict, data: dict | None = None, **kw: object
) -> httpx.Response:
    headers = kw.pop("headers", {"Authorization": f"Bearer {API_KEY}"})
    return httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files=files,
        data=data or {"model": "whisper-1"},
        headers=headers,  # type: ignore[arg-type]
        timeout=60,
    )


def test_bad_audio_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(
            file=("noise.wav", not_audio(50_000), "audio/wav"), model="whisper-1"
        )
    assert caught.value.status_code == 400
    assert_openai_error(caught.value.body, "invalid_audio")
    message = caught.value.body["message"]  # type: ignore[index]
    assert message.startswith("noise.wav: not a readable audio") and "upload-" not in message


def test_errors_name_the_clients_file_safely(client: OpenAI) -> None:
    for sent, shown in [("../../etc/passwd.wav", "passwd.wav"), ("회의 녹음.wav", "회의 녹음.wav")]:
        with pytest.raises(openai.BadRequestError) as caught:
            client.audio.transcriptions.create(
                file=(sent, not_audio(20_000), "audio/wav"), model="whisper-1"
            )
        message = caught.value.body["message"]  # type: ignore[index]
        assert message.startswith(f"{shown}: not a readable audio") and "etc" not in message


def test_empty_file_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(file=("empty.mp3", b"", "audio/mpeg"), model="whisper-1")
    assert_openai_error(caught.value.body, "invalid_audio")
    assert caught.value.body["message"].startswith("empty.mp3: the file is empty")  # type: ignore[index]


@pytest.mark.corpus
def test_unknown_model_is_404(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught, JFK.open("rb") as audio:
        client.audio.transcriptions.create(file=audio, model="whisper-9000")
    assert_openai_error(caught.value.body, "model_not_found", "model")


@pytest.mark.corpus
def test_model_names_cannot_be_paths(client: OpenAI) -> None:
    for name in ("../cache", "/etc", "./models"):
        with pytest.raises(openai.NotFoundError), JFK.open("rb") as audio:
            client.audio.transcriptions.create(file=audio, model=name)


def test_oversize_upload_is_413(client: OpenAI, base_dir: Path) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        client.audio.transcriptions.create(
            file=("big.wav", os.urandom(9 * 1024 * 1024), "audio/wav"), model="whisper-1"
        )
    assert caught.value.status_code == 413
    assert_openai_error(caught.value.body, "audio_too_large")
    assert upload_files(base_dir) == []


def test_oversize_without_content_length_stops_reading(server: BackgroundServer) -> None:
    sent = 0

    def body() -> object:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'
        for _ in range(40):  # 40 MiB offered against an 8 MB cap
            sent += 1
            yield b"\0" * (1024 * 1024)
            time.sleep(0.01)

    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        content=body(),
        headers={
            "Authorization": f"Bearer {API_KEY}",
            "Content-Type": "multipart/form-data; boundary=b",
        },
        timeout=60,
    )
    assert response.status_code == 413
    assert_openai_error(response.json()["error"], "audio_too_large")
    assert sent < 40


@pytest.mark.corpus
def test_too_long_audio_is_413(client: OpenAI) -> None:
    with pytest.raises(openai.APIStatusError) as caught, LONG_EN.open("rb") as audio:
        client.audio.transcriptions.create(file=audio, model="whisper-1")
    assert caught.value.status_code == 413
    message = caught.value.body["message"]  # type: ignore[index]
    assert message.startswith(f"{LONG_EN.name}: ") and "limit" in message


@pytest.mark.corpus
def test_wrong_or_missing_key_is_401(server: BackgroundServer) -> None:
    wrong = OpenAI(base_url=f"{server.url}/v1", api_key="not-the-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught, JFK.open("rb") as audio:
        wrong.audio.transcriptions.create(file=audio, model="whisper-1")
    assert_openai_error(caught.value.body, "invalid_api_key")
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    missing = httpx.get(f"{server.url}/v1/models")
    assert missing.status_code == 401
    assert_openai_error(missing.json()["error"], "invalid_api_key")


def test_health_needs_no_key(server: BackgroundServer) -> None:
    for path in ("/health", "/health/ready", "/ready", "/metrics"):
        assert httpx.get(server.url + path).status_code == 200, path


def test_declared_non_audio_is_415(server: BackgroundServer) -> None:
    response = post(server, {"file": ("page.html", b"<html>hello</html>", "text/html")})
    assert response.status_code == 415
    assert_openai_error(response.json()["error"], "unsupported_media_type", "file")


def test_json_body_is_415(server: BackgroundServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        json={"model": "whisper-1"},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert response.status_code == 415
    assert_openai_error(response.json()["error"], "unsupported_media_type")


def test_missing_file_is_400(server: BackgroundServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        files={"model": (None, "whisper-1")},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert response.status_code == 400
    assert_openai_error(response.json()["error"], "invalid_request_error", "file")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("response_format", "docx"),
        ("temperature", "hot"),
        ("temperature", "1.5"),
        ("timestamp_granularities[]", "sentence"),
        ("beam_size", "99"),
        ("vad_filter", "maybe"),
        ("language", "korean-ish"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    server: BackgroundServer, field: str, value: str
) -> None:
    files = {"file": ("jfk.flac", b"fLaC", "audio/flac")}
    response = post(server, files, {"model": "whisper-1", field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == field.removesuffix("[]")


@pytest.mark.corpus
def test_extension_goes_through_openai_extra_body(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught, JFK.open("rb") as audio:
        client.audio.transcriptions.create(
            file=audio, model="whisper-1", extra_body={"beam_size": 99}
        )
    assert caught.value.body["param"] == "beam_size"  # type: ignore[index]


@pytest.mark.corpus
def test_english_only_model_refuses_translation(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught, JFK.open("rb") as audio:
        client.audio.translations.create(file=audio, model="tiny.en")
    assert_openai_error(caught.value.body, "invalid_request_error", "model")


def test_unknown_route_and_model_lookup_use_the_error_shape(server: BackgroundServer) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    response = httpx.get(f"{server.url}/v1/nothing-here", headers=headers)
    assert response.status_code == 404
    assert_openai_error(response.json()["error"], "not_found")
    response = httpx.get(f"{server.url}/v1/models/whisper-9000", headers=headers)
    assert response.status_code == 404
    assert_openai_error(response.json()["error"], "model_not_found")
    response = httpx.get(f"{server.url}/v1/audio/transcriptions", headers=headers)
    assert response.status_code == 405


def test_errors_leave_no_uploads(base_dir: Path) -> None:
    assert upload_files(base_dir) == []


@pytest.mark.parametrize(
    ("language", "status", "detected"),
    [
        ("xx", 400, None),
        ("Klingon", 400, None),
        ("k\x00o", 400, None),
        ("한국어", 200, "korean"),
        ("Korean", 200, "korean"),
        ("", 200, "korean"),
    ],
)
@pytest.mark.corpus
def test_language_is_checked_up_front(
    server: BackgroundServer, language: str, status: int, detected: str | None
) -> None:
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        headers={"Authorization": f"Bearer {API_KEY}"},
        files={"file": ("ko.flac", KO_SPAGHETTI.read_bytes(), "audio/flac")},
        data={"model": "whisper-1", "language": language, "response_format": "verbose_json"},
        timeout=120,
    )
    assert response.status_code == status, response.text
    if status == 400:
        error = response.json()["error"]
        assert error["param"] == "language" and "ISO-639-1" in error["message"]
    else:
        assert response.json()["language"] == detected
