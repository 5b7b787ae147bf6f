"""Transcription work on the scheduler's threads, seen from the event loop.

A worker decodes the upload window by window and iterates the engine's lazy segments,
handing the info and each segment to the event loop as they come; the loop side streams
them (SSE) or collects them into a transcript. Cancelling an ``InFlight`` (client gone) stops the
worker at its next segment.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

from stt_engine.audio import AudioStream
from stt_engine.engine import Engine
from stt_engine.engine.prepared import Prepared, collect
from stt_engine.engine.scheduler import CancelToken, Scheduler, Ticket
from stt_engine.errors import CancelledError_, SttError
from stt_engine.server.metrics import Metrics
from stt_engine.server.request_log import RequestFigures, current_figures
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class _Done:
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """What one request asks the worker to do."""

    audio: AudioStream  # opened and checked once, decoded window by window by the worker
    prepared: Prepared  # the model, options and post-processing, made ready once by the route

    @property
    def audio_seconds(self) -> float:
        """The declared duration, for queue weight and the time limit (0 when unknown)."""
        return self.audio.declared or 0.0


class InFlight:
    """A transcription in flight (not a durable job): submitted to the scheduler, its events
    arrive in order on ``next()``."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._events: asyncio.Queue[TranscriptionInfo | Segment | _Done] = asyncio.Queue()
        self.ticket: Ticket[None] | None = None

    def emit(self, item: TranscriptionInfo | Segment | _Done) -> None:
        """Hand an event to the event loop (called from the worker thread)."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
            self._loop.call_soon_threadsafe(self._events.put_nowait, item)

    async def next(self) -> TranscriptionInfo | Segment | None:
        """The next event; None once the work finished; raises the worker's error."""
        item = await self._events.get()
        if isinstance(item, _Done):
            if item.error is not None:
                raise item.error
            return None
        return item

    def cancel(self) -> None:
        if self.ticket is not None:
            self.ticket.cancel()


def start(engine: Engine, scheduler: Scheduler, metrics: Metrics, order: WorkOrder) -> InFlight:
    """Submit the work; raises BusyError at once when the queue is full."""
    flight = InFlight(asyncio.get_running_loop())
    figures, submitted = current_figures(), time.perf_counter()

    def work(token: CancelToken) -> None:
        figures.queue_wait_seconds = time.perf_counter() - submitted
        try:
            _transcribe(engine, metrics, order, token, flight.emit, figures)
            flight.emit(_Done())
        except BaseException as exc:
            flight.emit(_Done(exc))

    flight.ticket = scheduler.submit(work, audio_seconds=order.audio_seconds)
    return flight


def _transcribe(
    engine: Engine,
    metrics: Metrics,
    order: WorkOrder,
    token: CancelToken,
    emit: Callable[[TranscriptionInfo | Segment | _Done], None],
    figures: RequestFigures,
) -> None:
    started = time.perf_counter()
    token.check()
    transcription = engine.transcribe(order.audio, order.prepared, token=token)
    emit(transcription.info)

    def each(segment: Segment) -> None:
        emit(segment)
        token.check()

    transcript = collect(transcription, each)
    duration, took = transcript.info.duration, time.perf_counter() - started
    metrics.observe_transcription(order.prepared.model.name, duration, took)
    figures.audio_seconds, figures.processing_seconds = duration, took


async def whole(flight: InFlight) -> Transcript:
    """Wait for the whole transcript."""
    first = await flight.next()
    if not isinstance(first, TranscriptionInfo):
        raise SttError("the worker finished without transcription info")
    segments: list[Segment] = []
    while (item := await flight.next()) is not None:
        if isinstance(item, Segment):
            segments.append(item)
    return Transcript(info=first, segments=tuple(segments))


async def unless_disconnected(receive: Receive, flight: InFlight, work: Awaitable[T]) -> T:
    """Await ``work``; cancel the work and raise CancelledError_ if the client goes away."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnect(receive))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        flight.cancel()
        task.cancel()
        raise
    finally:
        watcher.cancel()
    if task in done:
        return task.result()
    flight.cancel()
    task.cancel()
    raise CancelledError_("the client disconnected before the transcript was ready")


def cancel_on_disconnect(receive: Receive, flight: InFlight) -> asyncio.Task[None]:
    """Cancel the work as soon as the client goes away; cancel the returned task when done."""
    watcher = asyncio.ensure_future(_disconnect(receive))
    watcher.add_done_callback(lambda task: None if task.cancelled() else flight.cancel())
    return watcher


async def _disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return
