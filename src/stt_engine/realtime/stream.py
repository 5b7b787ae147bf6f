"""The audio side of a live session: the input buffer, turns, partial passes and finals.

Audio lands in the input buffer on the session's 16 kHz timeline. With ``server_vad`` the
turn detector opens and closes turns in it (the buffer keeps only the prefix padding while
nobody speaks); without it the client commits the buffer. While a turn is open, a pass
re-decodes it about every ``partial_interval`` seconds and the words two passes agree on go
out as deltas. A committed turn is queued for its final decode; finals run one at a time in
commit order. A partial pass never starts while a final is queued or decoding (the final
gets the device to itself); one still running when its turn is committed is cancelled (its
queued chunks leave the batcher) and its text dropped.

A turn's audio ends ``PAUSE_MS`` into the silence that ends it. When the detector reports a
pause that long, the final decode of the turn as it would end there starts at once, while the
rest of ``silence_duration_ms`` is awaited: if the turn does stop there, that decode is its
final; if the speaker goes on, it is thrown away. The turn's partial passes still queued then
are cancelled (the final has the device to itself).

Partial passes start on a timer without waiting for the one before: every ``_FIRST_INTERVAL``
until the turn's first word is confirmed (the batcher ranks these passes with finals and
requests), then every ``partial_interval`` (these yield to every other chunk). The batcher
decodes one pass of a stream at a time and drops a pass still queued when a newer one is
queued, so a slow device makes fewer passes, each on the latest audio; a pass whose result
comes after a newer pass's is ignored.

When the session asks for speakers, each committed turn's voice embedding is taken while
its text decodes, and the turn completes with its speaker's label.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.errors import SttError
from stt_engine.realtime.agreement import LocalAgreement
from stt_engine.realtime.events import EventError, SessionConfig, new_id
from stt_engine.realtime.logprobs import as_dicts, delta_logprobs, logprobs_of
from stt_engine.realtime.outbox import Outbox, Problem, Turn
from stt_engine.realtime.speakers import LiveSpeakers
from stt_engine.realtime.turn import PAUSE_MS, TurnDetector, TurnEvent

log = logging.getLogger(__name__)
_MIN_PARTIAL_SECONDS = 0.5
_FIRST_INTERVAL = 0.25  # seconds between the passes of a turn with no confirmed word yet
_TICK_SECONDS = 0.05  # how often the partial timer looks at the open turn
_MIN_COMMIT_SAMPLES = SAMPLE_RATE // 10  # OpenAI refuses commits under 100 ms


class Decoder(Protocol):
    def check_model(self, name: str | None) -> None: ...

    async def decode(
        self, audio: np.ndarray, config: SessionConfig, partial: bool, first: bool = False
    ) -> str:
        """The audio's text: a final, or a partial pass (``first``: no word confirmed yet)."""
        ...

    def cancel_partials(self) -> None: ...


@dataclass
class Observer:
    """Figures a session reports (the server's metrics); no-ops by default."""

    audio: Callable[[float], None] = lambda seconds: None
    partial: Callable[[float], None] = lambda seconds: None
    completed: Callable[[float], None] = lambda seconds: None


@dataclass
class _OpenTurn:
    item_id: str
    start: int  # sample on the session timeline
    agreement: LocalAgreement = field(default_factory=LocalAgreement)
    committed: bool = False  # its final is queued: a partial pass still running is dropped
    last_pass: float = 0.0
    decoded_until: int = 0
    passes: int = 0  # partial passes started
    applied: int = 0  # the newest pass whose text went into the agreement
    early: _Early | None = None  # the final decoded ahead, for a turn that ends at a pause


@dataclass
class _Early:
    end: int  # the turn's last sample if it stops at this pause
    task: asyncio.Future[str]

    def discard(self) -> None:
        self.task.cancel()
        self.task.add_done_callback(_retrieve)


@dataclass
class _Final:
    turn: Turn
    audio: np.ndarray
    open_turn: _OpenTurn
    ended_at: float  # monotonic time the turn was committed
    early: asyncio.Future[str] | None = None  # its decode, started at the pause
    voice: asyncio.Future[np.ndarray] | None = None  # its speaker embedding, when labelled


class LiveStream:
    """One session's buffer and turns; ``feed`` audio, ``commit``/``clear`` on request."""

    def __init__(
        self, outbox: Outbox, decoder: Decoder, config: SessionConfig, *,
        partial_interval: float = 1.0, max_buffer_seconds: float = 60.0,
        observer: Observer | None = None, speakers: LiveSpeakers | None = None,
    ):  # fmt: skip
        self.outbox, self.decoder, self.config = outbox, decoder, config
        self.speakers = speakers
        self.partial_interval = partial_interval
        self.max_buffer_samples = int(max_buffer_seconds * SAMPLE_RATE)
        self.observer = observer or Observer()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0  # timeline sample of the buffer's first sample
        self._detector = self._new_detector()
        self._open: _OpenTurn | None = None
        self._next_item: str | None = None
        self._previous_item: str | None = None
        self._finals: asyncio.Queue[_Final] = asyncio.Queue()
        self._finals_due = 0  # queued or decoding: partial passes wait for them
        self._backlog = 0  # samples of the turns queued or decoding
        self._tasks = [asyncio.ensure_future(self._final_loop())]
        self._tasks.append(asyncio.ensure_future(self._partial_loop()))

    def _new_detector(self) -> TurnDetector | None:
        turn = self.config.turn
        return TurnDetector(turn) if turn is not None else None

    def reconfigure(self, config: SessionConfig) -> None:
        changed = config.turn != self.config.turn
        self.config = config
        if changed:
            self._detector = self._new_detector()
            self._drop_open()

    @property
    def _end(self) -> int:
        return self._buffer_start + self._buffer.size

    @property
    def backlog_seconds(self) -> float:
        """Seconds of committed audio still waiting for their transcripts."""
        return self._backlog / SAMPLE_RATE

    def buffer_full(self, samples: int) -> bool:
        return self._buffer.size + samples > self.max_buffer_samples

    async def feed(self, audio: np.ndarray) -> None:
        """Add 16 kHz audio; with server_vad, open and close turns in it."""
        self._buffer = np.concatenate([self._buffer, audio])
        self.observer.audio(audio.size / SAMPLE_RATE)
        detector = self._detector
        if detector is None:
            return
        events = await anyio.to_thread.run_sync(detector.feed, audio)
        for event in events:
            await self._on_turn_event(event)
        if self._open is None:
            assert self.config.turn is not None
            keep = self.config.turn.prefix_padding_ms * SAMPLE_RATE // 1000
            self._trim(self._end - keep)

    async def _on_turn_event(self, event: TurnEvent) -> None:
        turn = self.config.turn
        assert turn is not None
        if event.kind == "started":
            pad = 0 if event.forced else turn.prefix_padding_ms * SAMPLE_RATE // 1000
            start = max(event.sample - pad, self._buffer_start)
            self._trim(start)
            self._open = _OpenTurn(self._take_item_id(), start)
            await self.outbox.speech_started(self._open.item_id, _ms(start))
        elif self._open is not None and event.kind == "paused":
            self._decode_early(self._open, self._turn_end(event))
        elif self._open is not None:
            await self.outbox.speech_stopped(self._open.item_id, _ms(event.sample))
            await self._commit_open(self._turn_end(event))

    def _turn_end(self, event: TurnEvent) -> int:
        """Where a turn stopping at ``event`` ends: a little into the silence after it, as
        the offline VAD pads speech (none at a forced cut)."""
        turn = self.config.turn
        assert turn is not None
        pad = 0 if event.forced else min(turn.silence_duration_ms, PAUSE_MS)
        return min(event.sample + pad * SAMPLE_RATE // 1000, self._end)

    def _decode_early(self, opened: _OpenTurn, end: int) -> None:
        if opened.early is not None:
            opened.early.discard()
        self.decoder.cancel_partials()  # queued passes make way for the final
        audio = self._buffer[max(opened.start - self._buffer_start, 0) : end - self._buffer_start]
        task = asyncio.ensure_future(self.decoder.decode(audio.copy(), self.config, False))
        task.add_done_callback(lambda done: self._hear(opened, done))
        opened.early = _Early(end, task)

    def _hear(self, opened: _OpenTurn, decoded: asyncio.Future[str]) -> None:
        """semantic_vad: the open turn's text up to the pause moves the silence that ends it."""
        if decoded.cancelled() or decoded.exception() is not None:
            return
        if self._detector is not None and self._open is opened and not opened.committed:
            self._detector.hear(decoded.result())

    def _take_item_id(self) -> str:
        item_id, self._next_item = self._next_item or new_id("item"), None
        return item_id

    def _trim(self, sample: int) -> None:
        cut = min(max(sample - self._buffer_start, 0), self._buffer.size)
        if cut:
            self._buffer = self._buffer[cut:]
            self._buffer_start += cut

    async def commit(self) -> None:
        """The client's commit: the open turn, or the whole buffer."""
        if self._open is not None:
            await self._commit_open(self._end)
            return
        if self._buffer.size < _MIN_COMMIT_SAMPLES:
            seconds = self._buffer.size / SAMPLE_RATE
            raise EventError(
                f"buffer too small: expected at least 100ms of audio, have {seconds * 1000:.0f}ms",
                code="input_audio_buffer_commit_empty",
            )
        opened = _OpenTurn(self._take_item_id(), self._buffer_start)
        await self._commit(opened, self._end)

    async def _commit_open(self, end: int) -> None:
        opened, self._open = self._open, None
        assert opened is not None
        await self._commit(opened, end)

    async def _commit(self, opened: _OpenTurn, end: int) -> None:
        audio = self._buffer[: max(end - self._buffer_start, 0)].copy()
        turn = Turn(opened.item_id, self._previous_item, _ms(opened.start), _ms(end))
        self._previous_item = opened.item_id
        opened.committed = True
        self.decoder.cancel_partials()  # its queued chunks make way for the final
        self._trim(end)
        await self.outbox.committed(turn)
        self._finals_due += 1
        self._backlog += audio.size
        early, opened.early = opened.early, None
        if early is not None and early.end != end:
            early.discard()
            early = None
        task = early.task if early is not None else None
        voice = None
        if self.config.diarize and self.speakers is not None:
            voice = self.speakers.embed(audio)
            voice.add_done_callback(_retrieve)
        self._finals.put_nowait(_Final(turn, audio, opened, time.monotonic(), task, voice))

    async def clear(self) -> None:
        self._buffer_start = self._end
        self._buffer = np.zeros(0, dtype=np.float32)
        self._drop_open()
        self._detector = self._new_detector()
        await self.outbox.cleared()

    def _drop_open(self) -> None:
        if self._open is not None and self._open.early is not None:
            self._open.early.discard()
        self._open = None

    async def _final_loop(self) -> None:
        while True:
            final = await self._finals.get()
            try:
                await self._finish(final)
            finally:
                self._finals_due -= 1
                self._backlog -= final.audio.size
                self._finals.task_done()

    async def _finish(self, final: _Final) -> None:
        item_id = final.turn.item_id
        try:
            decoding = final.early or self.decoder.decode(final.audio, self.config, False)
            decoded = await decoding
            text = decoded.strip()
        except SttError as exc:
            await self.outbox.failed(item_id, Problem(exc.message, exc.code, type="server_error"))
            return
        except Exception as exc:  # a bug: report the item failed, keep the session
            log.exception("decoding turn %s failed", item_id)
            await self.outbox.failed(
                item_id, Problem(str(exc), "internal_error", type="server_error")
            )
            return
        agreement = final.open_turn.agreement
        rest = agreement.finish(text)
        if rest:
            logprobs = delta_logprobs(decoded, agreement.text, rest)
            await self.outbox.delta(item_id, rest, agreement.text, logprobs)
        tokens = logprobs_of(decoded)
        every = None if tokens is None else as_dicts(tokens)
        await self.outbox.completed(final.turn, text, await self._speaker(final), every)
        self.observer.completed(time.monotonic() - final.ended_at)

    async def _speaker(self, final: _Final) -> str | None:
        """The turn's speaker label; None when not asked for or its embedding failed (the
        text still completes)."""
        if final.voice is None or self.speakers is None:
            return None
        try:
            seconds = final.audio.size / SAMPLE_RATE
            return self.speakers.label(await final.voice, seconds)
        except Exception:
            log.warning("no speaker label for turn %s", final.turn.item_id, exc_info=True)
            return None

    async def _partial_loop(self) -> None:
        passes: set[asyncio.Future[None]] = set()
        try:
            while True:
                await asyncio.sleep(_TICK_SECONDS)
                opened = self._open
                if opened is not None and self._pass_due(opened):
                    first = not opened.agreement.confirmed
                    started = asyncio.ensure_future(self._partial(opened, first))
                    passes.add(started)
                    started.add_done_callback(passes.discard)
        finally:
            for running in passes:
                running.cancel()

    def _pass_due(self, opened: _OpenTurn) -> bool:
        """Whether the open turn's next partial pass should start now."""
        if self._finals_due or _deciding(opened) or self._end <= opened.decoded_until:
            return False
        # until the first words are confirmed, passes come close together
        interval = self.partial_interval
        if not opened.agreement.confirmed:
            interval = min(_FIRST_INTERVAL, interval)
        heard = (self._end - opened.start) / SAMPLE_RATE
        return heard >= _MIN_PARTIAL_SECONDS and time.monotonic() - opened.last_pass >= interval

    async def _partial(self, opened: _OpenTurn, first: bool) -> None:
        opened.last_pass = time.monotonic()
        opened.decoded_until = self._end
        opened.passes += 1
        number = opened.passes
        audio = self._buffer[max(opened.start - self._buffer_start, 0) :].copy()
        try:
            text = await self.decoder.decode(audio, self.config, True, first=first)
        except Exception:  # a partial is best effort (or superseded); the final reports failures
            log.debug("partial pass failed", exc_info=True)
            return
        # the final is on its way (never send a delta after it), or a newer pass was heard
        if opened.committed or number < opened.applied:
            return
        opened.applied = number
        if self._detector is not None and self._open is opened:
            self._detector.hear(text)
        delta = opened.agreement.update(text)
        if delta:
            confirmed = opened.agreement.text
            logprobs = delta_logprobs(text, confirmed, delta)
            await self.outbox.delta(opened.item_id, delta, confirmed, logprobs)
            self.observer.partial(time.monotonic() - opened.last_pass)

    async def close(self) -> None:
        self._drop_open()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def turn_in_progress(self) -> bool:
        """Whether there is a turn to commit: an open one (server_vad), else enough buffer."""
        if self._detector is not None:
            return self._open is not None
        return self._buffer.size >= _MIN_COMMIT_SAMPLES

    async def drain(self, timeout: float) -> None:
        """Wait until every committed turn has its final (for a client that stops sending)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finals.join(), timeout)


def _ms(sample: int) -> int:
    return sample * 1000 // SAMPLE_RATE


def _deciding(opened: _OpenTurn) -> bool:
    """Whether the turn's final is being decoded ahead (a partial pass would be redundant)."""
    return opened.early is not None and not opened.early.task.done()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Collect a discarded decode's outcome, so it is never reported as unretrieved."""
    if not task.cancelled():
        task.exception()
