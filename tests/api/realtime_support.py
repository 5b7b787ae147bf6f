"""Streaming real speech to the live server's WebSocket routes, as clients do."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from api_support import AUDIO, reference

from stt_engine.audio import SAMPLE_RATE, decode_audio, wav_bytes


def speech(clips: list[str], gap: float, tail: float = 2.5) -> tuple[np.ndarray, str]:
    """Clips joined with ``gap`` seconds of silence (and some before and after); the refs."""
    pieces = [np.zeros(int(0.5 * SAMPLE_RATE), dtype=np.float32)]
    for clip in clips:
        pieces += [decode_audio(AUDIO / clip), np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32)]
    pieces.append(np.zeros(int(tail * SAMPLE_RATE), dtype=np.float32))
    refs = " ".join(reference(AUDIO / clip) for clip in clips)
    return np.concatenate(pieces), refs


def write_wav(path: Path, audio: np.ndarray) -> Path:
    path.write_bytes(wav_bytes(audio))
    return path


def sox_raw(wav: Path, rate: int, encoding: str = "signed") -> bytes:
    """The WAV converted by sox to headerless mono ``encoding`` (signed, u-law, a-law)."""
    bits = "16" if encoding == "signed" else "8"
    target = wav.with_suffix(f".{rate}.{encoding}.raw")
    subprocess.run(
        ["sox", str(wav), "-r", str(rate), "-c", "1", "-e", encoding, "-b", bits, "-t", "raw",
         str(target)],
        check=True,
    )  # fmt: skip
    return target.read_bytes()


async def send_at_speed(
    connection: Any, data: bytes, bytes_per_second: int, speed: float = 1.0
) -> None:
    """``input_audio_buffer.append`` every 100 ms of audio, paced to ``speed`` x real time."""
    step = bytes_per_second // 10
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(data), step)):
        piece = base64.b64encode(data[offset : offset + step]).decode()
        await connection.input_audio_buffer.append(audio=piece)
        wait = started + (index + 1) * 0.1 / speed - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)


@dataclass
class Events:
    """Server events as they arrived, with their arrival times."""

    seen: list[tuple[float, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[Any]:
        return [event for _, event in self.seen if event.type == kind]

    def at(self, kind: str, item_id: str) -> list[float]:
        return [
            t for t, e in self.seen if e.type == kind and getattr(e, "item_id", None) == item_id
        ]

    def finals(self) -> str:
        done = self.of("conversation.item.input_audio_transcription.completed")
        return " ".join(event.transcript for event in done)

    def pending(self) -> set[str]:
        committed = {e.item_id for e in self.of("input_audio_buffer.committed")}
        done = {
            e.item_id
            for kind in ("completed", "failed")
            for e in self.of(f"conversation.item.input_audio_transcription.{kind}")
        }
        return committed - done


async def receive_all(connection: Any, events: Events, stop: asyncio.Event) -> None:
    """Record every event until ``stop`` is set and every committed turn is finished."""
    settled: float | None = None
    while settled is None or time.monotonic() < settled or events.pending():
        if settled is None and stop.is_set():
            settled = time.monotonic() + 1.0  # events already on their way still arrive
        try:
            event = await asyncio.wait_for(connection.recv(), timeout=0.5)
        except TimeoutError:
            continue
        events.seen.append((time.monotonic(), event))


async def stream_and_collect(
    connection: Any, data: bytes, rate_bytes: int, timeout: float = 180
) -> Events:
    """Send the audio at 1x while recording events; wait for every committed turn's final."""
    events, stop = Events(), asyncio.Event()
    receiver = asyncio.ensure_future(receive_all(connection, events, stop))
    await send_at_speed(connection, data, rate_bytes)
    stop.set()
    await asyncio.wait_for(receiver, timeout)
    return events
