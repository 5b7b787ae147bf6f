"""Realtime client secrets with the official client: issued for a session configuration,
opening ``/v1/realtime`` with that configuration, refused on the HTTP API and after expiry."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import openai
import pytest
from api_support import API_KEY, JFK, live_server, make_settings
from openai import AsyncOpenAI, OpenAI
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Subprotocol

from stt_engine.audio import decode_audio
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine

BOUND = {
    "type": "transcription",
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 16000},
            "transcription": {"model": "whisper-1", "language": "en"},
            "turn_detection": None,
        }
    },
}


def _async(server: BackgroundServer, key: str) -> AsyncOpenAI:
    ws = server.url.replace("http://", "ws://") + "/v1"
    return AsyncOpenAI(api_key=key, base_url=f"{server.url}/v1", websocket_base_url=ws)


def _pcm16(path: Path) -> bytes:
    """The file as 16 kHz mono PCM16, the format the bound session declares."""
    return (np.clip(decode_audio(path), -1.0, 1.0) * 32767).astype("<i2").tobytes()


async def _first_events(server: BackgroundServer, key: str, beta: bool = False) -> list[Any]:
    client = _async(server, key)
    connect = client.beta.realtime.connect(model="whisper-1") if beta else client.realtime.connect()
    async with connect as connection:
        return [await asyncio.wait_for(connection.recv(), 30)]


async def _transcribe(server: BackgroundServer, key: str, pcm: bytes) -> tuple[Any, Any]:
    """Open a session with ``key``, send the audio, commit; (session.created, completed)."""
    async with _async(server, key).realtime.connect() as connection:
        created = await asyncio.wait_for(connection.recv(), 30)
        for offset in range(0, len(pcm), 32000):  # one second per append
            chunk = base64.b64encode(pcm[offset : offset + 32000]).decode()
            await connection.input_audio_buffer.append(audio=chunk)
        await connection.input_audio_buffer.commit()
        while True:
            event = await asyncio.wait_for(connection.recv(), 180)
            assert event.type != "error", event
            if event.type.endswith(".completed"):
                return created, event


@pytest.mark.corpus
def test_a_secret_opens_a_session_with_its_configuration(
    server: BackgroundServer, client: OpenAI
) -> None:
    before = int(time.time())
    secret = client.realtime.client_secrets.create(
        expires_after={"anchor": "created_at", "seconds": 120}, session=BOUND
    )
    assert secret.value.startswith("ek_") and API_KEY not in secret.value
    assert before + 120 <= secret.expires_at <= int(time.time()) + 120
    assert secret.session.type == "transcription"
    assert secret.session.audio.input.transcription.language == "en"
    created, completed = asyncio.run(_transcribe(server, secret.value, _pcm16(JFK)))
    audio_input = created.session.audio.input
    assert created.type == "session.created"
    assert audio_input.transcription.language == "en" and audio_input.turn_detection is None
    assert audio_input.format.rate == 16000
    assert "ask not what your country" in completed.transcript.lower()


def test_a_secret_lives_ten_minutes_by_default(client: OpenAI) -> None:
    before = int(time.time())
    secret = client.realtime.client_secrets.create()
    assert before + 600 <= secret.expires_at <= int(time.time()) + 600
    assert secret.session.type == "transcription"


def test_the_beta_call_issues_a_secret_the_beta_socket_takes(
    server: BackgroundServer, client: OpenAI
) -> None:
    session = client.beta.realtime.transcription_sessions.create(
        input_audio_format="pcm16",
        input_audio_transcription={"model": "whisper-1", "language": "ko"},
        turn_detection={"type": "server_vad", "silence_duration_ms": 800},
        client_secret={"expires_at": {"anchor": "created_at", "seconds": 60}},
    )
    assert session.client_secret.value.startswith("ek_")
    assert session.input_audio_transcription.language == "ko"
    (created,) = asyncio.run(_first_events(server, session.client_secret.value, beta=True))
    assert created.type == "transcription_session.created"
    bound = created.model_dump()["session"]  # the beta client leaves it a plain dict
    assert bound["input_audio_transcription"]["language"] == "ko"
    assert bound["turn_detection"]["silence_duration_ms"] == 800


def test_a_secret_is_refused_on_the_http_api(client: OpenAI, server: BackgroundServer) -> None:
    secret = client.realtime.client_secrets.create(session=BOUND).value
    holder = OpenAI(base_url=f"{server.url}/v1", api_key=secret, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as refused, JFK.open("rb") as audio:
        holder.audio.transcriptions.create(model="whisper-1", file=audio)
    assert refused.value.code == "invalid_api_key"
    assert "client secret" in refused.value.message
    with pytest.raises(openai.AuthenticationError):  # nor can it mint further secrets
        holder.realtime.client_secrets.create(session=BOUND)
    with pytest.raises(openai.AuthenticationError):
        holder.models.list()


def test_a_secret_needs_a_real_key(server: BackgroundServer) -> None:
    for key in ("wrong", "ek_made.up"):
        anyone = OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            anyone.realtime.client_secrets.create(session=BOUND)


def test_a_changed_secret_is_refused_on_the_socket(
    server: BackgroundServer, client: OpenAI
) -> None:
    value = client.realtime.client_secrets.create(session=BOUND).value
    body, _, mac = value.partition(".")
    forged = f"{body}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    (error,) = asyncio.run(_first_events(server, forged))
    assert error.type == "error" and error.error.code == "invalid_api_key"
    assert "invalid client secret" in error.error.message


async def _raw_first_event(server: BackgroundServer, headers: dict[str, str], secret: str) -> Any:
    url = server.url.replace("http://", "ws://") + "/v1/realtime?intent=transcription"
    protocols = [Subprotocol("realtime"), Subprotocol(f"openai-insecure-api-key.{secret}")]
    async with ws_connect(url, additional_headers=headers, subprotocols=protocols) as socket:
        return json.loads(await asyncio.wait_for(socket.recv(), 30))


def test_a_secret_in_the_subprotocol_wins_over_a_proxy_s_header(
    server: BackgroundServer, client: OpenAI
) -> None:
    """Behind a reverse proxy that adds the API key, the page's secret still binds its session."""
    secret = client.realtime.client_secrets.create(session=BOUND).value
    header = {"Authorization": f"Bearer {API_KEY}"}
    event = asyncio.run(_raw_first_event(server, header, secret))
    assert event["type"] == "session.created"
    assert event["session"]["audio"]["input"]["transcription"]["language"] == "en"
    event = asyncio.run(_raw_first_event(server, {}, secret))  # a browser: no header at all
    assert event["session"]["audio"]["input"]["turn_detection"] is None


def test_an_expired_secret_is_refused(base_dir: Path, engine: Engine) -> None:
    settings = make_settings(base_dir, realtime_client_secret_max_seconds=1)
    with live_server(settings, engine) as short:
        client = OpenAI(base_url=f"{short.url}/v1", api_key=API_KEY, max_retries=0)
        secret = client.realtime.client_secrets.create(
            expires_after={"anchor": "created_at", "seconds": 60}, session=BOUND
        )
        assert secret.expires_at <= int(time.time()) + 1  # cut to the server's ceiling
        time.sleep(max(0.0, secret.expires_at - time.time()) + 0.2)
        (error,) = asyncio.run(_first_events(short, secret.value))
    assert error.type == "error" and error.error.code == "invalid_api_key"
    assert "expired client secret" in error.error.message


@pytest.mark.parametrize(
    ("expires_after", "param"),
    [
        ({"anchor": "created_at", "seconds": 9}, "expires_after.seconds"),
        ({"anchor": "created_at", "seconds": 7201}, "expires_after.seconds"),
        ({"anchor": "created_at", "seconds": "60"}, "expires_after.seconds"),
        ({"anchor": "created_at", "seconds": 60.5}, "expires_after.seconds"),
        ({"anchor": "now", "seconds": 60}, "expires_after.anchor"),
        ({"anchor": "created_at", "seconds": 60, "when": 1}, "expires_after.when"),
    ],
)
def test_a_bad_expires_after_is_a_400(
    client: OpenAI, expires_after: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.realtime.client_secrets.create(expires_after=expires_after)  # type: ignore[arg-type]
    assert refused.value.code == "invalid_request_error"
    assert refused.value.param == param


@pytest.mark.parametrize(
    ("session", "status", "param"),
    [
        ({"type": "realtime", "model": "gpt-realtime"}, 400, "session.type"),
        ({"type": "transcription", "audio": {"input": {"turn_detection": {"type": "x"}}}}, 400,
         "session.audio.input.turn_detection"),
        ({"type": "transcription", "audio": {"input": {"transcription": {"language": "k1"}}}},
         400, "session.audio.input.transcription.language"),
        ({"type": "transcription", "audio": {"input": {"transcription": {"model": "nope"}}}},
         404, "model"),
    ],
)  # fmt: skip
def test_a_bad_session_is_refused_when_the_secret_is_asked_for(
    client: OpenAI, session: dict[str, Any], status: int, param: str
) -> None:
    with pytest.raises(openai.APIStatusError) as refused:
        client.realtime.client_secrets.create(session=session)  # type: ignore[arg-type]
    assert refused.value.status_code == status
    assert refused.value.param is not None and refused.value.param.startswith(param)
