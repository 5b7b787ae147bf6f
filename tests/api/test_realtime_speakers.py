"""Speaker labels on live turns: OpenAI's ``.segment`` events and the plain stream's finals.

Real speech from the diarization set (tests/diarization/references): each piece of a
reference is one speaker's sentence; the pieces are joined with silences long enough for
server VAD to make each one a turn (or more, where a piece pauses), so every turn has one
known speaker. Labels must follow
the speakers one to one: the same speaker keeps their label, a new voice gets a new one.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_support import API_KEY, AUDIO
from realtime_support import sox_raw, write_wav
from test_realtime import async_client, ga_korean
from websockets.asyncio.client import connect

from stt_engine.audio import SAMPLE_RATE
from stt_engine.bench.diarization_set import load_reference, pieces, render
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.diarize import run as diarize
from stt_engine.diarize.online import MIN_VOICE_SECONDS

needs_extra = pytest.mark.skipif(not diarize.available(), reason="needs the diarize extra")
REFERENCES = Path(__file__).parents[1] / "diarization" / "references"
_GAP = 1.2  # seconds of silence between pieces: more than the 500 ms that ends a turn
_DIARIZING = "gpt-4o-transcribe-diarize"
_SEGMENT = "conversation.item.input_audio_transcription.segment"
_COMPLETED = "conversation.item.input_audio_transcription.completed"


def turns_of(name: str, count: int) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """The reference's first ``count`` pieces, apart; each piece's (start, end, speaker)."""
    reference = load_reference(REFERENCES / f"{name}.json")
    recording = render(reference, AUDIO)
    gap = np.zeros(int(_GAP * SAMPLE_RATE), dtype=np.float32)
    parts, spans, at = [gap], [], gap.size
    for piece in pieces(reference)[:count]:
        audio = recording[piece.at : piece.at + piece.end - piece.begin]
        parts += [audio, gap]
        spans.append((at / SAMPLE_RATE, (at + audio.size) / SAMPLE_RATE, piece.speaker))
        at += audio.size + gap.size
    return np.concatenate([*parts, gap, gap]), spans


def speaker_of(start: float, end: float, spans: list[tuple[float, float, str]]) -> str:
    overlap = [(min(end, b) - max(start, a), who) for a, b, who in spans]
    return max(overlap)[1]


def _long(final: dict[str, Any]) -> bool:
    # a final's times are its turn's audio: 300 ms of prefix padding and up to 250 ms of tail
    return bool(final["end"] - final["start"] >= MIN_VOICE_SECONDS)


def assert_one_to_one(labelled: list[tuple[str, str]]) -> None:
    """(true speaker, label) per turn: each speaker always gets one label, and no two share."""
    by_speaker: dict[str, set[str]] = {}
    for speaker, label in labelled:
        by_speaker.setdefault(speaker, set()).add(label)
    assert all(len(labels) == 1 for labels in by_speaker.values()), labelled
    labels = [next(iter(labels)) for labels in by_speaker.values()]
    assert len(set(labels)) == len(labels), labelled


@pytest.mark.corpus
@pytest.mark.slow
@needs_extra
def test_ga_korean_turns_carry_their_speakers(server: BackgroundServer, tmp_path: Path) -> None:
    # four Korean voices (emotiontts nea, neb, nec, ned), each twice, at 2x real time
    audio, spans = turns_of("ko_4spk_pause", 8)
    data = sox_raw(write_wav(tmp_path / "ko.wav", audio), 24000)
    events = asyncio.run(ga_korean(server, data, 500, speed=2.0, model=_DIARIZING))
    segments = events.of(_SEGMENT)
    completed = events.of(_COMPLETED)
    assert not events.of("error")
    assert len(segments) == len(completed) == len(spans), [e.type for _, e in events.seen]
    for segment, done in zip(segments, completed, strict=True):
        assert segment.item_id == done.item_id and segment.text == done.transcript
        # the segment comes before its turn's completed event
        assert events.at(_SEGMENT, done.item_id)[0] <= events.at(_COMPLETED, done.item_id)[0]
    labelled = [(speaker_of(s.start, s.end, spans), s.speaker) for s in segments]
    assert_one_to_one(labelled)
    assert segments[0].speaker == "SPEAKER_1"


@pytest.mark.corpus
@pytest.mark.slow
@needs_extra
def test_plain_stream_finals_carry_speakers(server: BackgroundServer) -> None:
    # two English voices (LJSpeech and a LibriVox reader), alternating
    audio, spans = turns_of("en_2spk_pause", 4)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()

    async def run() -> list[dict[str, Any]]:
        url = server.url.replace("http://", "ws://") + "/v1/audio/stream?language=en&diarize=true"
        headers = {"Authorization": f"Bearer {API_KEY}"}
        async with connect(url, additional_headers=headers) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            for offset in range(0, len(pcm), 6400):  # 200 ms frames at 2x
                await ws.send(pcm[offset : offset + 6400])
                await asyncio.sleep(0.1)
            await ws.send(json.dumps({"type": "end"}))
            return [json.loads(message) async for message in ws]

    finals = [e for e in asyncio.run(run()) if e["type"] == "final"]
    # a read passage's longer pauses end a turn too: a piece may give more than one
    labelled = [(speaker_of(f["start"], f["end"], spans), f["speaker"]) for f in finals]
    assert len(finals) >= len(spans) and {who for who, _ in labelled} == {"lj", "sonnets"}
    # a turn under MIN_VOICE_SECONDS takes the nearest known voice's label (here one of
    # 1.2 s that opens a piece): the turns long enough to found a speaker must map one to one
    long = [pair for pair, f in zip(labelled, finals, strict=True) if _long(f)]
    assert len(long) >= len(spans)
    assert_one_to_one(long)
    assert {f["speaker"] for f in finals} == {"SPEAKER_1", "SPEAKER_2"}


def test_without_the_extra_speakers_are_refused_and_the_session_goes_on(
    server: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diarize, "available", lambda: False)

    async def ga() -> tuple[Any, Any]:
        connect_ = async_client(server).realtime.connect(extra_query={"intent": "transcription"})
        async with connect_ as connection:
            await connection.recv()
            asked = {"transcription": {"model": "gpt-4o-transcribe-diarize"}}
            await connection.session.update(
                session={"type": "transcription", "audio": {"input": asked}}
            )
            refused = await connection.recv()
            plain = {"transcription": {"model": "gpt-4o-transcribe", "language": "ko"}}
            await connection.session.update(
                session={"type": "transcription", "audio": {"input": plain}}
            )
            return refused, await connection.recv()

    refused, updated = asyncio.run(ga())
    assert refused.type == "error" and refused.error.code == "diarization_unavailable"
    assert updated.type == "session.updated"
    assert updated.session.audio.input.transcription.model == "gpt-4o-transcribe"
    error, code = asyncio.run(_refused(server, "diarize=true"))
    assert error["error"]["code"] == "diarization_unavailable" and code == 1008


async def _refused(server: BackgroundServer, query: str) -> tuple[dict[str, Any], int | None]:
    """The plain stream's first event and close code for a query it refuses."""
    url = server.url.replace("http://", "ws://") + f"/v1/audio/stream?{query}"
    async with connect(url, additional_headers={"Authorization": f"Bearer {API_KEY}"}) as ws:
        first = json.loads(await ws.recv())
        await ws.wait_closed()
        return first, ws.close_code


def test_a_bad_diarize_value_is_refused(server: BackgroundServer) -> None:
    error, code = asyncio.run(_refused(server, "diarize=maybe"))
    assert error["error"]["param"] == "diarize" and code == 1008
