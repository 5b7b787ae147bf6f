"""Server-side turn detection (``server_vad``) on the engine's Silero VAD.

Audio arrives in pieces of any length; it is scored in 32 ms frames (512 samples at 16 kHz),
each piece with half a second of the audio before it as context, since the model keeps its
state only within a call. Speech starts on the first frame at or above the threshold and
stops once the probability stays below ``threshold - 0.15`` (Silero's own hysteresis) for
``silence_duration_ms`` (with ``semantic_vad``: a silence the turn's latest text sets, see
``semantic.py``). A turn that runs to ``max_turn_seconds`` is cut there, and the next
turn starts at once if the speech goes on. Once a silence has lasted ``PAUSE_MS`` (and would
need longer to end the turn) a ``paused`` event says where it began: if the turn stops there,
its audio up to the pause is already known, and its final can be decoded while the rest of
the silence is awaited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.realtime.semantic import silence_ms

FRAME = 512
_CONTEXT_FRAMES = 16
_HYSTERESIS = 0.15
PAUSE_MS = 150  # a turn's audio ends this far into the silence that ends it
_PAUSE_SAMPLES = PAUSE_MS * SAMPLE_RATE // 1000


@dataclass(frozen=True, slots=True)
class TurnSettings:
    """OpenAI's server_vad fields, plus the forced cut."""

    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    max_turn_seconds: float = 30.0
    eagerness: str | None = None  # semantic_vad: the text so far moves the silence needed


@dataclass(frozen=True, slots=True)
class TurnEvent:
    kind: Literal["started", "paused", "stopped"]
    sample: int  # on the session's 16 kHz timeline
    forced: bool = False


def vad_model() -> Any:
    """The engine's Silero VAD model (loaded once per process)."""
    from stt_engine.engine.vad import silero

    return silero()


class TurnDetector:
    """Speech start and stop over a growing stream of 16 kHz samples."""

    def __init__(self, settings: TurnSettings, model: Any = None):
        self.settings = settings
        self._model = model if model is not None else vad_model()
        self._pending = np.zeros(0, dtype=np.float32)
        self._context = np.zeros(0, dtype=np.float32)
        self._frames = 0
        self._start: int | None = None  # first frame of the open turn
        self._silent = 0
        self.silence_ms = settings.silence_duration_ms  # what ends the open turn

    def hear(self, text: str) -> None:
        """With semantic_vad, the open turn's latest text sets the silence that ends it."""
        if self.settings.eagerness is not None:
            self.silence_ms = silence_ms(text, self.settings.eagerness)

    @property
    def in_speech(self) -> bool:
        return self._start is not None

    def feed(self, audio: np.ndarray) -> list[TurnEvent]:
        """Score the new audio; the turn starts and stops it completes, in order."""
        data = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        count = data.size // FRAME
        self._pending = data[count * FRAME :]
        if count == 0:
            return []
        whole = data[: count * FRAME]
        probabilities = self._score(whole)
        self._context = np.concatenate([self._context, whole])[-_CONTEXT_FRAMES * FRAME :]
        events: list[TurnEvent] = []
        for probability in probabilities:
            events.extend(self._step(float(probability)))
            self._frames += 1
        return events

    def _score(self, whole: np.ndarray) -> np.ndarray:
        scored = np.concatenate([self._context, whole])
        output = np.asarray(self._model(scored)).reshape(-1)
        return output[-(whole.size // FRAME) :]

    def _step(self, probability: float) -> list[TurnEvent]:
        frame, settings = self._frames, self.settings
        if self._start is None:
            if probability < settings.threshold:
                return []
            self._start, self._silent = frame, 0
            self.silence_ms = settings.silence_duration_ms
            return [TurnEvent("started", frame * FRAME)]
        if probability < settings.threshold - _HYSTERESIS:
            self._silent += 1
        else:
            self._silent = 0
        silence_start = (frame - self._silent + 1) * FRAME
        if self._silent * FRAME >= self.silence_ms * SAMPLE_RATE // 1000:
            self._start = None
            return [TurnEvent("stopped", silence_start)]
        if self._silent and _frames(self._silent - 1) < _PAUSE_SAMPLES <= _frames(self._silent):
            return [TurnEvent("paused", silence_start)]
        if (frame + 1 - self._start) * FRAME >= settings.max_turn_seconds * SAMPLE_RATE:
            self._start, self._silent = frame + 1, 0
            cut = (frame + 1) * FRAME
            return [TurnEvent("stopped", cut, forced=True), TurnEvent("started", cut)]
        return []


def _frames(count: int) -> int:
    return count * FRAME
