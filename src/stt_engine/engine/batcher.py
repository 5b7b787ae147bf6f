"""The batcher: speech chunks from every request, job and stream, decoded together.

Each transcription is an :class:`Owner`. It submits speech chunks (audio plus
:class:`DecodeOptions`) and gets a future per chunk. Inference threads take *batches*: chunks
whose model and decode options are equal, taken round-robin across owners (one chunk per owner
per round), so a two-hour job never starves a five-second request. While another batch is
running, a batch waits at most ``wait_ms`` after its oldest chunk arrived for more chunks to
join (on an idle device it starts at once: a lone request never waits for company), and holds
at most ``max_batch`` chunks. An owner has at most ``owner_cap`` chunks queued or running;
``submit`` blocks beyond that. ``Owner.cancel`` drops its queued chunks at once (their
futures are cancelled); chunks already in a running batch finish, and their results are
thrown away.

With ``fitted`` at ``"all"`` (the default), every chunk is encoded in a window fitted to its
length instead of the full 30 s (at ``"streams"``, only a stream's chunks: finals and interim
passes; at ``"off"``, none); chunks batch only with chunks of the same window.

Live turns' interim passes are owners of kind ``"first_partial"`` (a turn with no word on
screen yet: it ranks with finals and requests, in turn) or ``"partial"`` (the passes after
that, re-done a moment later anyway: they yield, a batch holds them only when no other
owner's chunk leads). Passes of one stream (owners sharing a ``group``) decode one at a time,
and a pass still queued is dropped (its futures cancelled) as soon as a newer pass of the same
stream queues a chunk: it would only decode older audio.

If a batch fails, its chunks are retried one by one, so one bad chunk fails only its owner.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.contract import (
    ENCODER_FRAMES,
    Backend,
    ChunkInput,
    ChunkResult,
    DecodeOptions,
    fitted_frames,
)
from stt_engine.errors import BusyError, CancelledError_

log = logging.getLogger(__name__)
_EXIT_WAIT_SECONDS = 60.0
_PARTIAL = "partial"  # a live turn's later passes: they yield to every other chunk
_FIRST_PARTIAL = "first_partial"  # a turn's passes before its first word: they rank in turn
_PARTIALS = (_PARTIAL, _FIRST_PARTIAL)
_STREAM_KINDS = ("stream", *_PARTIALS)
_owner_numbers = itertools.count()


@dataclass(frozen=True, slots=True)
class BatchSettings:
    max_batch: int = 8
    wait_ms: float = 10.0
    owner_cap: int = 8
    job_cap: int = 1  # chunks a background job has in flight (it yields to requests)
    threads: int = 1
    fitted: str = "all"  # whose chunks get an encoder window fitted to them: streams, off


@dataclass(eq=False)
class _Chunk:
    owner: Owner
    backend: Backend  # held loaded by the owner's transcription while it runs
    audio: np.ndarray
    options: DecodeOptions
    future: Future[ChunkResult]
    frames: int = ENCODER_FRAMES  # the encoder window its features are padded to
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> tuple[int, DecodeOptions, int]:
        return id(self.backend), self.options, self.frames

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class BatcherStats:
    owners: int
    queued_chunks: int
    running_chunks: int
    batches: int
    chunks_decoded: int

    @property
    def mean_batch(self) -> float:
        return self.chunks_decoded / self.batches if self.batches else 0.0


class Owner:
    """One transcription's place in the batcher: its queued chunks and its in-flight count."""

    def __init__(
        self, batcher: Batcher, kind: str, cap: int, fitted: bool = False, group: object = None
    ):
        self.kind = kind
        self.fitted = fitted  # its chunks are encoded in windows fitted to their length
        self.group = group  # the live stream whose partial passes it is one of
        self.number = next(_owner_numbers)  # creation order: a higher number is newer
        self._batcher = batcher
        self._cap = cap
        self.queue: deque[_Chunk] = deque()
        self.in_flight = 0
        self.cancelled = False

    @property
    def cap(self) -> int:
        return self._cap

    def submit(
        self, backend: Backend, audio: np.ndarray, options: DecodeOptions
    ) -> Future[ChunkResult]:
        """Queue a chunk (at most 30 s of 16 kHz audio); blocks at ``owner_cap`` in flight."""
        frames = fitted_frames(audio.size / SAMPLE_RATE) if self.fitted else ENCODER_FRAMES
        chunk = _Chunk(self, backend, audio, options, Future(), frames)
        return self._batcher._submit(self, chunk)

    def cancel(self) -> None:
        """Drop the queued chunks now; results of running ones are discarded."""
        self._batcher._cancel(self)

    def close(self) -> None:
        self.cancel()


class Batcher:
    """Forms batches across owners and runs them on ``threads`` inference threads."""

    def __init__(self, settings: BatchSettings):
        self.settings = settings
        self._cond = threading.Condition()
        self._ring: deque[Owner] = deque()  # owners with queued chunks, in turn order
        self._owners: set[Owner] = set()
        self._running = 0
        self._batches = 0
        self._decoded = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._busy_groups: set[object] = set()  # streams with a partial pass decoding

    def owner(self, kind: str = "request", group: object = None) -> Owner:
        """A new owner; ``group`` (partial kinds) names the stream its passes belong to."""
        with self._cond:
            if self._closed:
                raise BusyError("the engine is shutting down", retry_after=5)
            self._start_threads()
            cap = self.settings.job_cap if kind == "job" else self.settings.owner_cap
            fitted = _fitted(self.settings.fitted, kind)
            owner = Owner(self, kind, cap, fitted=fitted, group=group)
            self._owners.add(owner)
            return owner

    def _start_threads(self) -> None:
        if not self._threads:  # a thread inside the decoder when Python exits aborts it
            atexit.register(self.shutdown, _EXIT_WAIT_SECONDS)
        while len(self._threads) < self.settings.threads:
            thread = threading.Thread(
                target=self._loop, name=f"stt-batch-{len(self._threads)}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _submit(self, owner: Owner, item: _Chunk) -> Future[ChunkResult]:
        with self._cond:
            while owner.in_flight >= self.settings.owner_cap and not owner.cancelled:
                self._cond.wait()
            if owner.cancelled or self._closed:
                raise CancelledError_("the transcription was cancelled")
            owner.in_flight += 1
            owner.queue.append(item)
            if owner not in self._ring:
                self._ring.append(owner)
            dropped = self._supersede(owner)
            self._cond.notify_all()
        for old in dropped:
            old.future.cancel()
        return item.future

    def _supersede(self, owner: Owner) -> list[_Chunk]:
        """Cancel the older passes of the owner's stream that have not started; their chunks."""
        if owner.group is None or owner.kind not in _PARTIALS:
            return []
        dropped: list[_Chunk] = []
        for other in list(self._owners):
            older = other.number < owner.number and other.group == owner.group
            waiting = other.queue and other.in_flight == len(other.queue)  # none decoding
            if older and waiting and other.kind in _PARTIALS:
                dropped.extend(self._cancel_locked(other))
        if dropped:
            log.debug("dropped %d chunks of superseded partial passes", len(dropped))
        return dropped

    def _cancel(self, owner: Owner) -> None:
        with self._cond:
            dropped = self._cancel_locked(owner)
        for item in dropped:
            item.future.cancel()

    def _cancel_locked(self, owner: Owner) -> list[_Chunk]:
        owner.cancelled = True
        dropped = list(owner.queue)
        owner.queue.clear()
        owner.in_flight -= len(dropped)
        if owner in self._ring:
            self._ring.remove(owner)
        self._owners.discard(owner)
        self._cond.notify_all()
        return dropped

    def _loop(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._run(batch)

    def _next_batch(self) -> list[_Chunk] | None:
        with self._cond:
            while not self._closed:
                batch = self._form() if self._ring else []
                if not batch:  # nothing queued, or only passes of streams already decoding
                    self._cond.wait()
                    continue
                deadline = min(i.queued_at for i in batch) + self.settings.wait_ms / 1000
                now = time.monotonic()
                idle = self._running == 0  # no batch to wait behind: waiting only delays
                if idle or len(batch) >= self.settings.max_batch or now >= deadline:
                    self._take(batch)
                    return batch
                self._cond.wait(deadline - now)
            return None

    def _form(self) -> list[_Chunk]:
        """Chunks compatible with the next owner's first, one per owner per round."""
        ready = [o for o in self._ring if not self._waits_for_its_stream(o)]
        if not ready:
            return []
        lead = _lead(ready)
        key = lead.queue[0].key
        yielding = lead.kind != _PARTIAL  # partial chunks ride only in batches of partials
        owners = [lead, *(o for o in ready if o is not lead)]
        taken: dict[Owner, Iterator[_Chunk]] = {
            owner: (i for i in owner.queue if i.key == key)
            for owner in owners
            if not (yielding and owner.kind == _PARTIAL)
        }
        batch: list[_Chunk] = []
        for owner in itertools.cycle(list(taken)):
            if not taken:
                break
            if owner not in taken:
                continue
            item = next(taken[owner], None)
            if item is None or len(batch) >= self.settings.max_batch:
                del taken[owner]
                continue
            batch.append(item)
        return batch

    def _waits_for_its_stream(self, owner: Owner) -> bool:
        """A partial pass waits while another pass of its stream decodes."""
        return owner.kind in _PARTIALS and owner.group in self._busy_groups

    def _take(self, batch: list[_Chunk]) -> None:
        for item in batch:
            item.owner.queue.remove(item)
        self._ring.rotate(-1)  # the next owner leads the next batch
        for owner in {i.owner for i in batch}:
            if not owner.queue and owner in self._ring:
                self._ring.remove(owner)
        self._busy_groups.update(_groups(batch))
        self._running += len(batch)

    def _run(self, batch: list[_Chunk]) -> None:
        live = [item for item in batch if _still_wanted(item)]
        try:
            if live:
                self._decode(live)
        finally:
            with self._cond:
                self._running -= len(batch)
                self._busy_groups.difference_update(_groups(batch))
                self._batches += 1 if live else 0
                self._decoded += len(live)
                for item in batch:
                    item.owner.in_flight -= 1
                self._cond.notify_all()

    def _decode(self, batch: list[_Chunk]) -> None:
        """Decode the chunks in one call and settle their futures."""
        backend, options = batch[0].backend, batch[0].options
        try:
            results = backend.decode_batch([_input(i) for i in batch], options)
        except BaseException as exc:
            self._after_failure(batch, exc)
            return
        for item, result in zip(batch, results, strict=True):
            _settle(item.future, result)

    def _after_failure(self, batch: list[_Chunk], exc: BaseException) -> None:
        if len(batch) == 1:
            _settle(batch[0].future, error=exc)
            return
        log.warning("a batch of %d chunks failed (%s); retrying one by one", len(batch), exc)
        for item in batch:
            self._decode_alone(item)

    def _decode_alone(self, item: _Chunk) -> None:
        try:
            chunk = _input(item)
            _settle(item.future, item.backend.decode_batch([chunk], item.options)[0])
        except BaseException as exc:
            _settle(item.future, error=exc)

    def stats(self) -> BatcherStats:
        """Owners and chunks now, and batches run so far."""
        with self._cond:
            return BatcherStats(
                owners=len(self._owners),
                queued_chunks=sum(len(o.queue) for o in self._ring),
                running_chunks=self._running,
                batches=self._batches,
                chunks_decoded=self._decoded,
            )

    def shutdown(self, timeout: float = 0.0) -> None:
        """Cancel every owner; the threads stop after their current batch (waited for up to
        ``timeout`` seconds)."""
        with self._cond:
            self._closed = True
            owners = list(self._owners)
            self._cond.notify_all()
        for owner in owners:
            owner.cancel()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))


def _fitted(mode: str, kind: str) -> bool:
    return mode == "all" or (mode == "streams" and kind in _STREAM_KINDS)


def _lead(ready: list[Owner]) -> Owner:
    """The owner whose first chunk leads the next batch: the first in turn that does not
    yield (a later partial pass), else the first."""
    return next((owner for owner in ready if owner.kind != _PARTIAL), ready[0])


def _groups(batch: list[_Chunk]) -> set[object]:
    """The streams whose partial passes have chunks in the batch."""
    return {i.owner.group for i in batch if i.owner.kind in _PARTIALS and i.owner.group is not None}


def _input(item: _Chunk) -> ChunkInput:
    return ChunkInput(item.backend.features(item.audio, item.frames), item.seconds)


def _still_wanted(item: _Chunk) -> bool:
    """False (its future settled) when the chunk's owner cancelled it."""
    if item.future.cancelled():
        return False
    if item.owner.cancelled:
        _settle(item.future, error=CancelledError_("the transcription was cancelled"))
        return False
    return True


def _settle(
    future: Future[ChunkResult],
    result: ChunkResult | None = None,
    error: BaseException | None = None,
) -> None:
    """Give the future its result or error, unless its owner cancelled it meanwhile."""
    with contextlib.suppress(InvalidStateError):
        if error is not None:
            future.set_exception(error)
        elif result is not None:
            future.set_result(result)
