"""Realtime items, languages, keywords and logprobs through the official client.

OpenAI's GA order for a committed turn: ``input_audio_buffer.committed``,
``conversation.item.added``, the transcription's deltas and ``completed``, then
``conversation.item.done`` with the transcript in the item. ``conversation.item.created``
(the beta name) still follows ``added`` for the clients that wait for it.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest
from api_support import KO_SPAGHETTI
from realtime_support import sox_raw, speech, stream_and_collect, write_wav
from test_realtime import async_client

from stt_engine.audio import decode_audio
from stt_engine.bench.local_server import BackgroundServer

pytestmark = pytest.mark.corpus

_ITEM = "conversation.item.input_audio_transcription"
_LOGPROBS = "item.input_audio_transcription.logprobs"


_ORDER = (
    "input_audio_buffer.committed",
    "conversation.item.added",
    f"{_ITEM}.completed",
    "conversation.item.done",
)


def _item_of(event: Any) -> str | None:
    item = getattr(event, "item", None)
    return item.id if item is not None else getattr(event, "item_id", None)


def _spelled(logprobs: list[Any]) -> str:
    return b"".join(bytes(int(b) for b in lp.bytes) for lp in logprobs).decode("utf-8").strip()


async def _one_turn(server: BackgroundServer, data: bytes, session: dict[str, Any]) -> list[Any]:
    """Every event of one manually committed turn, up to its ``conversation.item.done``."""
    async with async_client(server).realtime.connect() as connection:
        await connection.recv()
        await connection.session.update(session=session)
        updated = await connection.recv()
        assert updated.type == "session.updated", updated
        for offset in range(0, len(data), 48000):
            chunk = base64.b64encode(data[offset : offset + 48000]).decode()
            await connection.input_audio_buffer.append(audio=chunk)
        await connection.input_audio_buffer.commit()
        events = [updated]
        while events[-1].type != "conversation.item.done":
            events.append(await asyncio.wait_for(connection.recv(), 120))
        return events


def test_a_turn_sends_item_added_then_done_with_logprobs(
    server: BackgroundServer, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "ko.wav", decode_audio(KO_SPAGHETTI))
    transcription = {"languages": ["ko", "en"], "keywords": ["스파게티"]}
    session = {
        "type": "transcription",
        "include": [_LOGPROBS],
        "audio": {"input": {"turn_detection": None, "transcription": transcription}},
    }
    events = asyncio.run(_one_turn(server, sox_raw(wav, 24000), session))
    described = events[0].session
    assert described.include == [_LOGPROBS]
    assert described.audio.input.transcription.model_dump(exclude_none=True) == {**transcription}
    kinds = [e.type for e in events[1:] if e.type != f"{_ITEM}.delta"]
    assert kinds == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.created",
        f"{_ITEM}.completed",
        "conversation.item.done",
    ]
    added, done = events[2], events[-1]
    completed = next(e for e in events if e.type == f"{_ITEM}.completed")
    assert added.item.id == done.item.id == completed.item_id
    assert added.item.content[0].transcript is None
    assert done.item.content[0].transcript == completed.transcript
    assert "스파게티" in completed.transcript
    assert _spelled(completed.logprobs) == completed.transcript
    assert all(lp.logprob <= 0 for lp in completed.logprobs)
    deltas = [e for e in events if e.type == f"{_ITEM}.delta"]
    assert deltas and all(e.logprobs for e in deltas)


def test_no_logprobs_unless_included(server: BackgroundServer, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "ko.wav", decode_audio(KO_SPAGHETTI))
    session = {"type": "transcription", "audio": {"input": {"turn_detection": None}}}
    events = asyncio.run(_one_turn(server, sox_raw(wav, 24000), session))
    completed = next(e for e in events if e.type == f"{_ITEM}.completed")
    assert completed.logprobs is None
    assert all(e.logprobs is None for e in events if e.type == f"{_ITEM}.delta")


def test_server_vad_turns_each_end_with_item_done_in_order(
    server: BackgroundServer, tmp_path: Path
) -> None:
    clips = [
        "ko/emotiontts/Main/main/lmy/lmy02044.flac",
        "ko/emotiontts/Main/main/lmy/lmy01003.flac",
    ]
    audio, _ = speech(clips, gap=1.5)
    data = sox_raw(write_wav(tmp_path / "two.wav", audio), 24000)

    async def run():  # type: ignore[no-untyped-def]
        async with async_client(server).realtime.connect() as connection:
            await connection.recv()
            await connection.session.update(
                session={"type": "transcription", "include": [_LOGPROBS],
                         "audio": {"input": {"transcription": {"language": "ko"}}}}
            )  # fmt: skip
            await connection.recv()
            return await stream_and_collect(connection, data, 48000)

    events = asyncio.run(run())
    done = events.of("conversation.item.done")
    completed = events.of(f"{_ITEM}.completed")
    assert len(done) == len(completed) == 2
    previous = None
    for item_done, final in zip(done, completed, strict=True):
        item_id = final.item_id
        assert item_done.item.id == item_id and item_done.previous_item_id == previous
        kinds = [kind for _, e in events.seen if _item_of(e) == item_id for kind in [e.type]]
        assert [k for k in kinds if k in _ORDER] == list(_ORDER)
        assert _spelled(final.logprobs) == final.transcript
        previous = item_id


def test_language_with_languages_is_an_error_event(server: BackgroundServer) -> None:
    async def run():  # type: ignore[no-untyped-def]
        async with async_client(server).realtime.connect() as connection:
            await connection.recv()
            transcription = {"language": "ko", "languages": ["ko", "en"]}
            await connection.session.update(
                session={
                    "type": "transcription",
                    "audio": {"input": {"transcription": transcription}},
                }
            )
            return await connection.recv()

    event = asyncio.run(run())
    assert event.type == "error"
    assert event.error.param == "session.audio.input.transcription.languages"
    assert "not both" in event.error.message


def test_semantic_vad_ends_the_turn_of_a_finished_sentence(
    server: BackgroundServer, tmp_path: Path
) -> None:
    audio, _ = speech(["ko/emotiontts/Main/main/lmy/lmy02044.flac"], gap=0.5)
    data = sox_raw(write_wav(tmp_path / "one.wav", audio), 24000)

    async def run():  # type: ignore[no-untyped-def]
        async with async_client(server).realtime.connect() as connection:
            await connection.recv()
            turn = {"type": "semantic_vad", "eagerness": "high"}
            await connection.session.update(
                session={"type": "transcription", "audio": {"input": {
                    "turn_detection": turn, "transcription": {"language": "ko"}}}}
            )  # fmt: skip
            updated = await connection.recv()
            return updated, await stream_and_collect(connection, data, 48000)

    updated, events = asyncio.run(run())
    assert updated.session.audio.input.turn_detection.type == "semantic_vad"
    completed = events.of(f"{_ITEM}.completed")
    assert len(completed) == 1 and "스파게티" in completed[0].transcript
    assert len(events.of("conversation.item.done")) == 1
