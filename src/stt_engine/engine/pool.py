"""Loaded models: load on demand, share between requests, unload when idle or over the cap."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stt_engine.engine.contract import Backend

log = logging.getLogger(__name__)

Loader = Callable[[Path], Backend]


@dataclass
class _Entry:
    backend: Backend
    load_seconds: float
    users: int = 0
    last_used: float = field(default_factory=time.monotonic)


class ModelPool:
    """Thread-safe cache of loaded backends keyed by model name."""

    def __init__(
        self,
        factory: Loader,
        *,
        max_loaded: int,
        ttl_seconds: float,
        pinned: str | None = None,
    ):
        self._factory = factory
        self._max_loaded = max_loaded
        self._ttl = ttl_seconds
        self._pinned = pinned
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    @contextmanager
    def acquire(self, name: str, path: Path) -> Iterator[Backend]:
        """The loaded backend for a model, held (not unloadable) inside the block."""
        entry = self._get_or_load(name, path)
        try:
            yield entry.backend
        finally:
            with self._lock:
                entry.users -= 1
                entry.last_used = time.monotonic()

    def _get_or_load(self, name: str, path: Path) -> _Entry:
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None:
                entry.users += 1
                return entry
            load_lock = self._loading.setdefault(name, threading.Lock())
        with load_lock:
            with self._lock:
                entry = self._entries.get(name)
                if entry is not None:
                    entry.users += 1
                    return entry
            started = time.perf_counter()
            backend = self._factory(path)
            entry = _Entry(backend, time.perf_counter() - started, users=1)
            log.info("loaded model %s in %.2f s", name, entry.load_seconds)
            with self._lock:
                self._entries[name] = entry
                self._evict_over_cap()
            return entry

    def _evict_over_cap(self) -> None:
        idle = sorted(
            (e.last_used, n) for n, e in self._entries.items() if e.users == 0 and n != self._pinned
        )
        while len(self._entries) > self._max_loaded and idle:
            _, name = idle.pop(0)
            self._unload(name, "over the loaded-model cap")

    def evict_idle(self, now: float | None = None) -> list[str]:
        """Unload models idle longer than the TTL (never the pinned default)."""
        if self._ttl <= 0:
            return []
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [
                n
                for n, e in self._entries.items()
                if e.users == 0 and n != self._pinned and now - e.last_used > self._ttl
            ]
            for name in expired:
                self._unload(name, "idle")
        return expired

    def _unload(self, name: str, why: str) -> None:
        self._entries.pop(name, None)
        log.info("unloaded model %s (%s)", name, why)

    def loaded(self) -> dict[str, float]:
        """Loaded model names and how long each took to load, in seconds."""
        with self._lock:
            return {n: e.load_seconds for n, e in self._entries.items()}
