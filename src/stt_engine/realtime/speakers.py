"""Speaker labels for a live session's turns: a voice embedding per turn, labelled online.

The embedding of a committed turn is taken on a worker thread while its text is decoded;
the label is given when the turn completes, in commit order, so the session's speakers are
numbered in order of first speech. The embedder (the diarization extra's CAM++ network) is
loaded on first use and shared by every session; ``warm`` starts that load as soon as a
session asks for speakers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import anyio
import numpy as np

from stt_engine.diarize.online import OnlineSpeakers
from stt_engine.diarize.turns import SpeakerEmbedder


class LiveSpeakers:
    """One session's speakers; ``embed`` a turn's audio, then ``label`` its embedding."""

    def __init__(self, embedder: Callable[[], SpeakerEmbedder], threshold: float):
        self._embedder = embedder
        self._speakers = OnlineSpeakers(threshold)
        self._warming: asyncio.Future[SpeakerEmbedder] | None = None

    def warm(self) -> None:
        """Start loading the embedder now (the first load takes seconds)."""
        if self._warming is None:
            self._warming = asyncio.ensure_future(anyio.to_thread.run_sync(self._embedder))
            self._warming.add_done_callback(_retrieve)

    def embed(self, audio: np.ndarray) -> asyncio.Future[np.ndarray]:
        """The turn's voice embedding, computed on a worker thread."""
        self.warm()
        return asyncio.ensure_future(self._embed(audio))

    async def _embed(self, audio: np.ndarray) -> np.ndarray:
        assert self._warming is not None
        embedder = await asyncio.shield(self._warming)
        return await anyio.to_thread.run_sync(embedder.embed, audio)

    def label(self, embedding: np.ndarray, seconds: float) -> str:
        return self._speakers.assign(embedding, seconds)


def _retrieve(future: asyncio.Future[SpeakerEmbedder]) -> None:
    """A failed load is reported by the turns that wait on it, never as unretrieved."""
    if not future.cancelled():
        future.exception()
