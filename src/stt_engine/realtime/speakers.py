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

from stt_engine.diarize.known import KnownVoice, known_voices
from stt_engine.diarize.online import OnlineSpeakers
from stt_engine.diarize.references import check_pairs, reference_audio
from stt_engine.diarize.turns import SpeakerEmbedder


class LiveSpeakers:
    """One session's speakers; ``embed`` a turn's audio, then ``label`` its embedding.

    Known speakers (``know``) come first: a turn whose voice is at least ``known_threshold``
    cosine-similar to a known reference carries that name; the others are labelled online.
    """

    def __init__(
        self,
        embedder: Callable[[], SpeakerEmbedder],
        threshold: float,
        known_threshold: float = 0.85,
        saved: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None,
    ):
        self._embedder = embedder
        self._speakers = OnlineSpeakers(threshold)
        self._warming: asyncio.Future[SpeakerEmbedder] | None = None
        self._known: list[KnownVoice] = []
        self._known_threshold = known_threshold
        self._saved = saved

    async def know(self, names: tuple[str, ...], references: tuple[str, ...]) -> None:
        """Take these known speakers (references, or else the names' saved profiles)."""
        if not names:
            self._known = []
            return
        if not references and self._saved is not None:
            references = await anyio.to_thread.run_sync(self._saved, names)
        check_pairs(names, references)
        self.warm()
        assert self._warming is not None
        embedder = await asyncio.shield(self._warming)

        def embed() -> list[KnownVoice]:
            samples = [reference_audio(url, i) for i, url in enumerate(references)]
            return known_voices(names, samples, embedder)

        self._known = await anyio.to_thread.run_sync(embed)

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
        if self._known:
            vector = np.asarray(embedding, dtype=np.float64).reshape(-1)
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
            similarity = [float(v.embedding @ vector) for v in self._known]
            best = int(np.argmax(similarity))
            if similarity[best] >= self._known_threshold:
                return self._known[best].name
        return self._speakers.assign(embedding, seconds)


def _retrieve(future: asyncio.Future[SpeakerEmbedder]) -> None:
    """A failed load is reported by the turns that wait on it, never as unretrieved."""
    if not future.cancelled():
        future.exception()
