"""The realtime unit tests' decoder and outbox: they record what a stream or session does.

The decoder answers at once with the length of the audio it got (``samples N``) and keeps the
audio of every final decode; the outbox keeps the session configs, the turns' stops and
finals, and every problem (``strict`` makes a failed turn fail the test instead).
"""

from __future__ import annotations

import asyncio

import numpy as np

from stt_engine.realtime.events import SessionConfig
from stt_engine.realtime.outbox import LogprobList, Problem, Turn


class RecordingDecoder:
    def __init__(self) -> None:
        self.heard: list[np.ndarray] = []  # the audio of each final decode, in start order

    @property
    def finals(self) -> list[int]:
        return [audio.size for audio in self.heard]

    def check_model(self, name: str | None) -> None:
        return None

    async def decode(
        self, audio: np.ndarray, config: SessionConfig, partial: bool, first: bool = False
    ) -> str:
        if not partial:
            self.heard.append(audio.copy())
        await asyncio.sleep(0)
        return f"samples {audio.size}"

    def cancel_partials(self) -> None:
        return None


class RecordingOutbox:
    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.configs: list[SessionConfig] = []
        self.turns: list[Turn] = []
        self.texts: list[str] = []
        self.stops: list[int] = []
        self.speakers: list[str | None] = []
        self.problems: list[Problem] = []

    async def session(self, config: SessionConfig, created: bool) -> None:
        self.configs.append(config)

    async def speech_started(self, item_id: str, start_ms: int) -> None: ...
    async def speech_stopped(self, item_id: str, end_ms: int) -> None:
        self.stops.append(end_ms)

    async def committed(self, turn: Turn) -> None: ...
    async def cleared(self) -> None: ...
    async def delta(
        self, item_id: str, text: str, confirmed: str, logprobs: LogprobList = None
    ) -> None: ...
    async def completed(
        self, turn: Turn, text: str, speaker: str | None = None, logprobs: LogprobList = None
    ) -> None:
        self.turns.append(turn)
        self.texts.append(text)
        self.speakers.append(speaker)

    async def failed(self, item_id: str, problem: Problem) -> None:
        if self.strict:
            raise AssertionError(problem)
        self.problems.append(problem)

    async def error(self, problem: Problem, event_id: str | None) -> None:
        self.problems.append(problem)
