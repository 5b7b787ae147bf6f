"""Decoding one turn's audio through the engine, as an owner of the shared batcher.

A partial pass decodes greedily (beam 1) at one temperature, without the fallback ladder (it
is re-done a moment later anyway, and two passes must agree before a word is sent). A turn's
final decode uses the request defaults (beam search with temperature fallback) and the
session's fields (``options.session_options``). Both run on a worker thread, so the event loop
never blocks, as batcher owners of kind ``"stream"`` (finals), ``"first_partial"`` (passes
before the turn's first word: they rank with finals) and ``"partial"`` (later passes: they
yield to every other chunk); a session's passes share one batcher group, so a pass still
queued is dropped when a newer one is queued. Model names go through the one alias table
(``models/aliases.py``): OpenAI's (``whisper-1``, ``gpt-4o-transcribe``, ...) mean the default
model; ``-diarize`` after a name asks for speaker labels and names the same model.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import anyio
import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.prepared import Prepared, collect
from stt_engine.engine.scheduler import CancelToken, TimeoutPolicy
from stt_engine.models.aliases import session_model
from stt_engine.options import session_options
from stt_engine.realtime.events import SessionConfig
from stt_engine.realtime.logprobs import DecodedText

if TYPE_CHECKING:
    from stt_engine.engine import Engine

_SHORTEST_SECONDS = 0.2


def model_name(name: str | None) -> str | None:
    """The engine's model for a session's model name (None: the default)."""
    return session_model(name)


class EngineDecoder:
    """The engine behind a session; ``cancel`` stops its decodes in flight."""

    def __init__(self, engine: Engine, policy: TimeoutPolicy):
        self._engine = engine
        self._policy = policy
        self._tokens: set[CancelToken] = set()
        self._partials: set[CancelToken] = set()
        self._lock = threading.Lock()
        self._ready: tuple[SessionConfig, Prepared, Prepared] | None = None

    def check_model(self, name: str | None) -> None:
        """Raise ModelNotFoundError now rather than at the first turn."""
        self._engine.prepare(model_name(name))

    def _prepared(self, config: SessionConfig) -> tuple[Prepared, Prepared]:
        """The session's request made ready (final, partial), once per session configuration."""
        cached = self._ready
        if cached is None or cached[0] is not config:
            final = self._engine.prepare(model_name(config.model), session_options(config))
            partial = final.with_options(temperature=(0.0,), beam_size=1, best_of=1)
            cached = self._ready = (config, final, partial)
        return cached[1], cached[2]

    async def decode(
        self, audio: np.ndarray, config: SessionConfig, partial: bool, first: bool = False
    ) -> str:
        if audio.size < _SHORTEST_SECONDS * SAMPLE_RATE:
            return ""
        token = CancelToken(self._policy, audio.size / SAMPLE_RATE)
        with self._lock:
            self._tokens.add(token)
            if partial:
                self._partials.add(token)
        try:
            # anyio's pool (40 threads), not asyncio's default one (a few threads on a small
            # machine), so that eight sessions' decodes never hold up their VAD
            kind = ("first_partial" if first else "partial") if partial else "stream"
            return await anyio.to_thread.run_sync(self._run, audio, config, token, kind)
        finally:
            with self._lock:
                self._tokens.discard(token)
                self._partials.discard(token)

    def _run(self, audio: np.ndarray, config: SessionConfig, token: CancelToken, kind: str) -> str:
        token.start()
        final, partial = self._prepared(config)
        prepared = final if kind == "stream" else partial
        group = self if kind != "stream" else None  # this session's partial passes
        transcription = self._engine.transcribe(
            audio, prepared, token=token, kind=kind, group=group
        )
        transcript = collect(transcription)
        if not prepared.options.logprobs:
            return transcript.text
        tokens = tuple(t for s in transcript.segments for t in (s.logprobs or ()))
        return DecodedText(transcript.text, tokens)

    def cancel_partials(self) -> None:
        """Stop the partial passes in flight (their turn was committed)."""
        with self._lock:
            tokens = list(self._partials)
        for token in tokens:
            token.cancel()

    def cancel(self) -> None:
        with self._lock:
            tokens = list(self._tokens)
        for token in tokens:
            token.cancel()
