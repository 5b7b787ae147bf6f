"""Where a session's events go: OpenAI's server events (GA or beta names), or plain JSON.

The session says what happened (a turn started, a delta was confirmed, a turn completed);
an outbox puts it into one wire shape and sends it. ``OpenAIOutbox`` speaks the Realtime
protocol; ``PlainOutbox`` sends the few events of ``/v1/audio/stream``. A turn labelled with its
speaker gets OpenAI's ``.segment`` event before ``.completed`` (plain: ``speaker`` on ``final``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from stt_engine.realtime.events import Dialect, SessionConfig, describe, new_id

Send = Callable[[dict[str, object]], Awaitable[None]]
LogprobList = list[dict[str, object]] | None  # OpenAI's logprobs list, when asked for
_TRANSCRIPTION = "conversation.item.input_audio_transcription"


@dataclass(frozen=True, slots=True)
class Turn:
    """One committed turn: its item and where it lies on the session's timeline."""

    item_id: str
    previous_item_id: str | None
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Problem:
    """An error as OpenAI's error object."""

    message: str
    code: str
    param: str | None = None
    type: str = "invalid_request_error"

    def body(self, event_id: str | None = None) -> dict[str, object]:
        shape = {"type": self.type, "code": self.code, "message": self.message, "param": self.param}
        return {**shape, "event_id": event_id}


class Outbox(Protocol):
    async def session(self, config: SessionConfig, created: bool) -> None: ...
    async def speech_started(self, item_id: str, start_ms: int) -> None: ...
    async def speech_stopped(self, item_id: str, end_ms: int) -> None: ...
    async def committed(self, turn: Turn) -> None: ...
    async def cleared(self) -> None: ...
    async def delta(
        self, item_id: str, text: str, confirmed: str, logprobs: LogprobList = None
    ) -> None: ...
    async def completed(
        self, turn: Turn, text: str, speaker: str | None = None, logprobs: LogprobList = None
    ) -> None: ...
    async def failed(self, item_id: str, problem: Problem) -> None: ...
    async def error(self, problem: Problem, event_id: str | None) -> None: ...


def _user_item(item_id: str, transcript: str | None) -> dict[str, object]:
    """The conversation item of a committed turn (its transcript once completed)."""
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "status": "completed",
        "role": "user",
        "content": [{"type": "input_audio", "transcript": transcript}],
    }


class OpenAIOutbox:
    """OpenAI's Realtime server events."""

    def __init__(self, send: Send, dialect: Dialect):
        self._send = send
        self.dialect: Dialect = dialect
        self.session_id = new_id("sess")

    async def _emit(self, kind: str, **fields: object) -> None:
        await self._send({"type": kind, "event_id": new_id("event"), **fields})

    async def session(self, config: SessionConfig, created: bool) -> None:
        prefix = "transcription_session" if self.dialect == "beta" else "session"
        kind = f"{prefix}.{'created' if created else 'updated'}"
        await self._emit(kind, session=describe(config, self.session_id, self.dialect))

    async def speech_started(self, item_id: str, start_ms: int) -> None:
        await self._emit(
            "input_audio_buffer.speech_started", audio_start_ms=start_ms, item_id=item_id
        )

    async def speech_stopped(self, item_id: str, end_ms: int) -> None:
        await self._emit("input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id)

    async def committed(self, turn: Turn) -> None:
        """``committed``, then the turn's item: GA sends ``conversation.item.added`` (and
        ``.done`` after the transcript); ``conversation.item.created``, the beta name, is
        sent in both dialects, as earlier clients wait for it."""
        ids = {"item_id": turn.item_id, "previous_item_id": turn.previous_item_id}
        await self._emit("input_audio_buffer.committed", **ids)
        item = _user_item(turn.item_id, None)
        if self.dialect == "ga":
            await self._emit(
                "conversation.item.added", previous_item_id=turn.previous_item_id, item=item
            )
        await self._emit(
            "conversation.item.created", previous_item_id=turn.previous_item_id, item=item
        )

    async def cleared(self) -> None:
        await self._emit("input_audio_buffer.cleared")

    async def delta(
        self, item_id: str, text: str, confirmed: str, logprobs: LogprobList = None
    ) -> None:
        extra = {} if logprobs is None else {"logprobs": logprobs}
        await self._emit(
            f"{_TRANSCRIPTION}.delta", item_id=item_id, content_index=0, delta=text, **extra
        )

    async def completed(
        self, turn: Turn, text: str, speaker: str | None = None, logprobs: LogprobList = None
    ) -> None:
        if speaker is not None:  # the diarizing model's event, one segment per turn
            await self._emit(
                f"{_TRANSCRIPTION}.segment", item_id=turn.item_id, content_index=0,
                id=new_id("seg"), text=text, speaker=speaker,
                start=turn.start_ms / 1000, end=turn.end_ms / 1000,
            )  # fmt: skip
        usage = {"type": "duration", "seconds": round((turn.end_ms - turn.start_ms) / 1000, 3)}
        extra = {} if logprobs is None else {"logprobs": logprobs}
        await self._emit(
            f"{_TRANSCRIPTION}.completed",
            item_id=turn.item_id,
            content_index=0,
            transcript=text,
            usage=usage,
            **extra,
        )
        if self.dialect == "ga":
            item = _user_item(turn.item_id, text)
            await self._emit(
                "conversation.item.done", previous_item_id=turn.previous_item_id, item=item
            )

    async def failed(self, item_id: str, problem: Problem) -> None:
        await self._emit(
            f"{_TRANSCRIPTION}.failed", item_id=item_id, content_index=0, error=problem.body()
        )

    async def error(self, problem: Problem, event_id: str | None) -> None:
        await self._emit("error", error=problem.body(event_id))


class PlainOutbox:
    """``partial`` (the turn's confirmed text so far) and ``final`` (with start and end)."""

    def __init__(self, send: Send):
        self._send = send

    async def session(self, config: SessionConfig, created: bool) -> None:
        rate = config.audio_format.rate
        await self._send({"type": "ready", "sample_rate": rate, "language": config.language})

    async def speech_started(self, item_id: str, start_ms: int) -> None:
        return None

    async def speech_stopped(self, item_id: str, end_ms: int) -> None:
        return None

    async def committed(self, turn: Turn) -> None:
        return None

    async def cleared(self) -> None:
        return None

    async def delta(
        self, item_id: str, text: str, confirmed: str, logprobs: LogprobList = None
    ) -> None:
        await self._send({"type": "partial", "id": item_id, "text": confirmed})

    async def completed(
        self, turn: Turn, text: str, speaker: str | None = None, logprobs: LogprobList = None
    ) -> None:
        start, end = turn.start_ms / 1000, turn.end_ms / 1000
        event = {"type": "final", "id": turn.item_id, "text": text, "start": start, "end": end}
        if speaker is not None:
            event["speaker"] = speaker
        if logprobs is not None:
            event["logprobs"] = logprobs
        await self._send(event)

    async def failed(self, item_id: str, problem: Problem) -> None:
        await self._send({"type": "error", "id": item_id, "error": problem.body()})

    async def error(self, problem: Problem, event_id: str | None) -> None:
        await self._send({"type": "error", "error": problem.body()})
