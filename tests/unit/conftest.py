"""Fixtures of the batcher's tests: the gated fake backend and a small batcher.

A module with fixtures of the same name (test_transcription.py) keeps its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batcher_support import GatedBackend
from stt_engine.engine.batcher import Batcher, BatchSettings


@pytest.fixture
def backend() -> GatedBackend:
    return GatedBackend()


@pytest.fixture
def batcher() -> Iterator[Batcher]:
    made = Batcher(BatchSettings(max_batch=4, wait_ms=0, owner_cap=8))
    yield made
    made.shutdown()
