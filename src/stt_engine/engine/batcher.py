"""The batcher: speech chunks from every request, job and stream, decoded together.

Each transcription is an :class:`Owner`. It submits chunks (features plus
:class:`DecodeOptions`) and gets a future per chunk. Inference threads take *batches*: chunks
whose model and decode options are equal, taken round-robin across owners (one chunk per owner
per round), so a two-hour job never starves a five-second request. A batch waits at most
``wait_ms`` after its oldest chunk arrived for more chunks to join, and holds at most
``max_batch``. An owner has at most ``owner_cap`` chunks queued or running; ``submit`` blocks
beyond that. ``Owner.cancel`` drops its queued chunks at once (their futures are cancelled);
chunks already in a running batch finish, and their results are thrown away.

If a batch fails, its chunks are retried one by one, so one bad chunk fails only its owner.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field

from stt_engine.engine.backend import Backend, ChunkInput, ChunkResult, DecodeOptions
from stt_engine.errors import BusyError, CancelledError_

log = logging.getLogger(__name__)
_EXIT_WAIT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class BatchSettings:
    max_batch: int = 8
    wait_ms: float = 10.0
    owner_cap: int = 8
    threads: int = 1


@dataclass(eq=False)
class _Chunk:
    owner: Owner
    backend: Backend  # held loaded by the owner's transcription while it runs
    chunk: ChunkInput
    options: DecodeOptions
    future: Future[ChunkResult]
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> tuple[int, DecodeOptions]:
        return id(self.backend), self.options


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

    def __init__(self, batcher: Batcher, kind: str, cap: int):
        self.kind = kind
        self._batcher = batcher
        self._cap = cap
        self.queue: deque[_Chunk] = deque()
        self.in_flight = 0
        self.cancelled = False

    @property
    def cap(self) -> int:
        return self._cap

    def submit(
        self, backend: Backend, chunk: ChunkInput, options: DecodeOptions
    ) -> Future[ChunkResult]:
        """Queue a chunk; blocks while ``owner_cap`` chunks are queued or running."""
        return self._batcher._submit(self, _Chunk(self, backend, chunk, options, Future()))

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

    def owner(self, kind: str = "request") -> Owner:
        with self._cond:
            if self._closed:
                raise BusyError("the engine is shutting down", retry_after=5)
            self._start_threads()
            owner = Owner(self, kind, self.settings.owner_cap)
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
            self._cond.notify_all()
        return item.future

    def _cancel(self, owner: Owner) -> None:
        with self._cond:
            owner.cancelled = True
            dropped = list(owner.queue)
            owner.queue.clear()
            owner.in_flight -= len(dropped)
            if owner in self._ring:
                self._ring.remove(owner)
            self._owners.discard(owner)
            self._cond.notify_all()
        for item in dropped:
            item.future.cancel()

    def _loop(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._run(batch)

    def _next_batch(self) -> list[_Chunk] | None:
        with self._cond:
            while not self._closed:
                if not self._ring:
                    self._cond.wait()
                    continue
                batch = self._form()
                deadline = min(i.queued_at for i in batch) + self.settings.wait_ms / 1000
                now = time.monotonic()
                if len(batch) >= self.settings.max_batch or now >= deadline:
                    self._take(batch)
                    return batch
                self._cond.wait(deadline - now)
            return None

    def _form(self) -> list[_Chunk]:
        """Chunks compatible with the next owner's first, one per owner per round."""
        key = self._ring[0].queue[0].key
        taken: dict[Owner, Iterator[_Chunk]] = {
            owner: (i for i in owner.queue if i.key == key) for owner in self._ring
        }
        batch: list[_Chunk] = []
        for owner in itertools.cycle(list(taken)):
            if len(batch) >= self.settings.max_batch or not taken:
                break
            if owner not in taken:
                continue
            item = next(taken[owner], None)
            if item is None:
                del taken[owner]
                continue
            batch.append(item)
        return batch

    def _take(self, batch: list[_Chunk]) -> None:
        for item in batch:
            item.owner.queue.remove(item)
        self._ring.rotate(-1)  # the next owner leads the next batch
        for owner in {i.owner for i in batch}:
            if not owner.queue and owner in self._ring:
                self._ring.remove(owner)
        self._running += len(batch)

    def _run(self, batch: list[_Chunk]) -> None:
        live = [i for i in batch if _still_wanted(i)]
        try:
            if live:
                self._decode(live)
        finally:
            with self._cond:
                self._running -= len(batch)
                self._batches += 1 if live else 0
                self._decoded += len(live)
                for item in batch:
                    item.owner.in_flight -= 1
                self._cond.notify_all()

    def _decode(self, batch: list[_Chunk]) -> None:
        backend, options = batch[0].backend, batch[0].options
        try:
            results = backend.decode_batch([i.chunk for i in batch], options)
        except BaseException as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            log.warning("a batch of %d chunks failed (%s); retrying one by one", len(batch), exc)
            for item in batch:
                self._decode_alone(item)
            return
        for item, result in zip(batch, results, strict=True):
            item.future.set_result(result)

    def _decode_alone(self, item: _Chunk) -> None:
        try:
            item.future.set_result(item.backend.decode_batch([item.chunk], item.options)[0])
        except BaseException as exc:
            item.future.set_exception(exc)

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


def _still_wanted(item: _Chunk) -> bool:
    """Mark the chunk running; False (its future settled) when its owner cancelled it."""
    if not item.future.set_running_or_notify_cancel():
        return False
    if item.owner.cancelled:
        item.future.set_exception(CancelledError_("the transcription was cancelled"))
        return False
    return True
