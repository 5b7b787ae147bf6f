"""Known speakers on live sessions: a diarizing realtime session names the turns of a known
voice (references in ``session.update``, or a saved profile named in the plain stream's query);
other voices keep ``SPEAKER_N``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from api_support import API_KEY
from realtime_support import Events, sox_raw, stream_and_collect
from test_realtime import async_client
from websockets.asyncio.client import connect

from speakers_support import Conversation, conversation, reference_samples, reference_url
from speakers_support import speaker_of as true_speaker
from stt_engine.audio import decode_audio, wav_bytes
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.diarize import run
from stt_engine.diarize.online import MIN_VOICE_SECONDS

pytestmark = [
    pytest.mark.skipif(not run.available(), reason="needs the diarize extra"),
    pytest.mark.corpus,
    pytest.mark.slow,
]
_SEGMENT = "conversation.item.input_audio_transcription.segment"


@pytest.fixture(scope="module")
def three_voices(audio_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Conversation:
    return conversation(audio_dir, tmp_path_factory.mktemp("known-live"))


async def _ga(server: BackgroundServer, data: bytes, transcription: dict[str, Any]) -> Events:
    connect_ = async_client(server).realtime.connect(extra_query={"intent": "transcription"})
    async with connect_ as connection:
        await connection.recv()
        await connection.session.update(
            session={
                "type": "transcription",
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "transcription": transcription,
                        "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                    }
                },
            }
        )
        assert (await connection.recv()).type == "session.updated"
        return await stream_and_collect(connection, data, 48000 * 2)


def _check(labelled: list[tuple[str, str]]) -> None:
    """(true speaker, label) of the long turns: lj is Lee, sonnets Sonnet, harvard SPEAKER_N."""
    names = {"lj": "Lee", "sonnets": "Sonnet"}
    assert {who for who, _ in labelled} == {"lj", "sonnets", "harvard"}, labelled
    for who, label in labelled:
        if who in names:
            assert label == names[who], labelled
        else:
            assert label.startswith("SPEAKER_"), labelled


def test_a_realtime_session_names_known_voices(
    server: BackgroundServer, three_voices: Conversation, audio_dir: Path
) -> None:
    data = sox_raw(three_voices.path, 24000)
    transcription = {
        "model": "gpt-4o-transcribe-diarize",
        "language": "en",
        "known_speaker_names": ["Lee", "Sonnet"],
        "known_speaker_references": [
            reference_url(audio_dir, "lj"),
            reference_url(audio_dir, "sonnets"),
        ],
    }
    events = asyncio.run(_ga(server, data, transcription))
    assert not events.of("error"), events.of("error")
    segments = [s for s in events.of(_SEGMENT) if s.end - s.start >= MIN_VOICE_SECONDS]
    _check([(true_speaker(s.start, s.end, three_voices.spans), s.speaker) for s in segments])


def test_a_bad_reference_in_a_session_is_an_error_event(
    server: BackgroundServer, audio_dir: Path
) -> None:
    short = decode_audio(audio_dir / "en/ljspeech/LJ001-0007.flac")[:16_000]
    from stt_engine.diarize.references import data_url

    transcription = {
        "model": "gpt-4o-transcribe-diarize",
        "known_speaker_names": ["Lee"],
        "known_speaker_references": [data_url(wav_bytes(short))],
    }

    async def update() -> Any:
        connect_ = async_client(server).realtime.connect(extra_query={"intent": "transcription"})
        async with connect_ as connection:
            await connection.recv()
            await connection.session.update(
                session={
                    "type": "transcription",
                    "audio": {"input": {"transcription": transcription}},
                }
            )
            return await connection.recv()

    answer = asyncio.run(update())
    assert answer.type == "error"
    assert answer.error.param == "known_speaker_references" and "1.0 s long" in answer.error.message


def test_the_plain_stream_names_a_saved_profile(
    server: BackgroundServer, three_voices: Conversation, audio_dir: Path
) -> None:
    wav = wav_bytes(reference_samples(audio_dir, "lj"))
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "audio/wav"}
    saved = httpx.put(f"{server.url}/v1/speakers/Lee", content=wav, headers=headers, timeout=60)
    assert saved.status_code == 200, saved.text
    audio = decode_audio(three_voices.path)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()

    async def stream() -> list[dict[str, Any]]:
        query = "language=en&diarize=true&known_speaker_names=Lee"
        url = server.url.replace("http://", "ws://") + f"/v1/audio/stream?{query}"
        async with connect(url, additional_headers={"Authorization": f"Bearer {API_KEY}"}) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            for offset in range(0, len(pcm), 6400):  # 200 ms frames at 2x
                await ws.send(pcm[offset : offset + 6400])
                await asyncio.sleep(0.1)
            await ws.send(json.dumps({"type": "end"}))
            return [json.loads(message) async for message in ws]

    events = asyncio.run(stream())
    assert not [e for e in events if e["type"] == "error"]
    finals = [e for e in events if e["type"] == "final" and e["end"] - e["start"] >= 2.0]
    labelled = [
        (true_speaker(f["start"], f["end"], three_voices.spans), f["speaker"]) for f in finals
    ]
    assert {who for who, _ in labelled} == {"lj", "sonnets", "harvard"}, labelled
    for who, label in labelled:
        assert (label == "Lee") == (who == "lj"), labelled
