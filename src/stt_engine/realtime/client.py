"""A small Realtime client: stream 16 kHz PCM16 to ``/v1/realtime`` and time every turn.

Used by ``stt-engine listen``, the realtime step of ``stt-engine check`` and the latency
benchmark. It speaks the GA protocol (``audio/pcm`` at 16 kHz, ``server_vad``), sends an
append every 100 ms of audio paced to ``speed`` x real time, commits what is left at the
end and waits for every turn's ``completed``. Times are taken on the client: a turn's speech
starts (and ends) when the audio at its ``audio_start_ms`` (``audio_end_ms``) was sent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_STEP_SECONDS = 0.1
_BYTES_PER_SECOND = 32000  # 16 kHz PCM16
_PREFIX = "conversation.item.input_audio_transcription"


@dataclass
class TurnTimes:
    """One turn as the client saw it: times in seconds on the client's clock."""

    item_id: str
    audio_start_ms: int | None = None  # where the server says the turn's audio starts
    speech_start: float | None = None
    speech_end: float | None = None
    first_delta: float | None = None
    completed: float | None = None
    text: str = ""
    deltas: str = ""
    speaker: str | None = None

    @property
    def first_delta_latency(self) -> float | None:
        if self.first_delta is None or self.speech_start is None:
            return None
        return self.first_delta - self.speech_start

    @property
    def completed_latency(self) -> float | None:
        if self.completed is None or self.speech_end is None:
            return None
        return self.completed - self.speech_end


@dataclass
class StreamResult:
    turns: dict[str, TurnTimes] = field(default_factory=dict)
    started: float = 0.0  # when the first audio was sent (the client's clock)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        done = [t for t in self.turns.values() if t.completed is not None]
        return " ".join(t.text for t in done if t.text)


@dataclass(frozen=True, slots=True)
class StreamOptions:
    url: str  # http(s)://host:port of the server
    api_key: str | None = None
    language: str | None = None
    speed: float = 1.0
    silence_ms: int = 500
    timeout: float = 120.0
    diarize: bool = False  # speaker labels: the diarizing model name
    eagerness: str | None = None  # semantic_vad at this eagerness instead of server_vad


def _ws_url(url: str) -> str:
    base = url.rstrip("/")
    base = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return f"{base}/v1/realtime?intent=transcription"


def _model(options: StreamOptions) -> str:
    return "gpt-4o-transcribe-diarize" if options.diarize else "whisper-1"


def _turn_detection(options: StreamOptions) -> dict[str, object]:
    if options.eagerness is not None:
        return {"type": "semantic_vad", "eagerness": options.eagerness}
    return {"type": "server_vad", "silence_duration_ms": options.silence_ms}


def _session(options: StreamOptions) -> dict[str, object]:
    audio_input = {
        "format": {"type": "audio/pcm", "rate": 16000},
        "transcription": {"model": _model(options), "language": options.language},
        "turn_detection": _turn_detection(options),
    }
    return {
        "type": "session.update",
        "session": {"type": "transcription", "audio": {"input": audio_input}},
    }


class _Recorder:
    def __init__(self, started: float, speed: float, on_event: Callable[[dict[str, Any]], None]):
        self.result = StreamResult(started=started)
        self.started, self.speed, self.on_event = started, speed, on_event

    def turn(self, item_id: str) -> TurnTimes:
        return self.result.turns.setdefault(item_id, TurnTimes(item_id))

    def sent_at(self, audio_ms: int) -> float:
        return self.started + audio_ms / 1000 / self.speed

    def record(self, event: dict[str, Any]) -> None:
        kind, now = event.get("type", ""), time.monotonic()
        item = str(event.get("item_id", ""))
        if kind == "input_audio_buffer.speech_started":
            turn = self.turn(item)
            turn.audio_start_ms = int(event["audio_start_ms"])
            turn.speech_start = self.sent_at(turn.audio_start_ms)
        elif kind == "input_audio_buffer.speech_stopped":
            self.turn(item).speech_end = self.sent_at(int(event["audio_end_ms"]))
        elif kind == "input_audio_buffer.committed":
            self.turn(item)
        elif kind == f"{_PREFIX}.segment":
            self.turn(item).speaker = event.get("speaker")
        elif kind == f"{_PREFIX}.delta":
            turn = self.turn(item)
            turn.first_delta = turn.first_delta or now
            turn.deltas += event.get("delta", "")
        elif kind in (f"{_PREFIX}.completed", f"{_PREFIX}.failed"):
            turn = self.turn(item)
            turn.completed, turn.text = now, event.get("transcript", "")
            turn.speech_end = turn.speech_end or now
        elif kind == "error" and event["error"].get("code") != "input_audio_buffer_commit_empty":
            self.result.errors.append(event["error"])
        self.on_event(event)

    def pending(self) -> bool:
        return any(t.completed is None for t in self.result.turns.values())


async def stream_pcm(
    pcm: bytes, options: StreamOptions, on_event: Callable[[dict[str, Any]], None] | None = None
) -> StreamResult:
    """Stream 16 kHz mono PCM16 and return every turn's text and times."""
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {options.api_key}"} if options.api_key else {}
    async with connect(_ws_url(options.url), additional_headers=headers, max_size=None) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), options.timeout))
        if first.get("type") == "error":
            raise ConnectionError(first["error"].get("message", "refused"))
        await ws.send(json.dumps(_session(options)))
        recorder = _Recorder(time.monotonic(), options.speed, on_event or (lambda _: None))
        receiver = asyncio.ensure_future(_receive(ws, recorder))
        await _send(ws, pcm, options.speed, recorder)
        await ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
        await asyncio.sleep(0.5)
        deadline = time.monotonic() + options.timeout
        while recorder.pending() and time.monotonic() < deadline and not receiver.done():
            await asyncio.sleep(0.05)
        receiver.cancel()
        return recorder.result


async def _send(ws: Any, pcm: bytes, speed: float, recorder: _Recorder) -> None:
    step = int(_BYTES_PER_SECOND * _STEP_SECONDS)
    recorder.started = recorder.result.started = time.monotonic()
    for index, offset in enumerate(range(0, len(pcm), step)):
        audio = base64.b64encode(pcm[offset : offset + step]).decode()
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        wait = recorder.started + (index + 1) * _STEP_SECONDS / speed - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)


async def _receive(ws: Any, recorder: _Recorder) -> None:
    async for message in ws:
        recorder.record(json.loads(message))


def pcm16(samples: Any) -> bytes:
    """16 kHz float32 samples as PCM16 bytes."""
    import numpy as np

    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
