"""Voice detection and speech chunks: the units the batcher decodes, at most 30 s each.

The package's one Silero VAD (faster-whisper's ONNX model, on onnxruntime, loaded once per
process): the engine's chunking, realtime turn detection (``silero``) and diarization
(``speech_timestamps``) all score speech here. With VAD on, it finds the speech regions
of a window; regions are joined back to back into chunks of at most 24 s (faster-whisper's
batched pipeline joins them the same way, up to 30 s), and each chunk keeps the map from its
own time back to the window's. With VAD off, the window is cut into consecutive pieces of at
most 30 s at the quietest moment of their last seconds.

onnxruntime keeps a memory plan for every input shape a session has run, and Silero's input
is as long as the audio, so a server that saw many lengths kept growing (600 lengths of 1 to
60 s: +48 MiB). The model's session is therefore rebuilt once with memory plans off (the
same options otherwise): flat over the same 600 calls, and no slower (a 60 s call 112 ms
against 127).
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.engine.windows import window_bounds
from stt_engine.errors import ModelInvalidError
from stt_engine.transcript import Segment, Word

log = logging.getLogger(__name__)
_PLANS_LOCK = threading.Lock()
CHUNK_SECONDS = 30.0  # the decoder's window
# Speech joined into one chunk: well short of the window, since Whisper tends to stop before
# the last sentence of a window it sees filled to the end (10-minute Korean file: CER 0.200
# at 30 s, 0.134 at 24 s, 0.134 at 18 s).
SPEECH_SECONDS = 24.0
_SPEECH_SAMPLES = int(SPEECH_SECONDS * SAMPLE_RATE)
_CUT_SEARCH_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class VadSettings:
    """Silero VAD parameters (faster-whisper's names and meanings)."""

    threshold: float = 0.5
    min_silence_ms: int = 500
    speech_pad_ms: int = 400
    min_speech_ms: int = 0  # shorter regions are dropped
    max_speech_seconds: float = math.inf  # longer regions are split (at a silence if any)


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """Speech regions of a window joined into one piece of audio, with the way back."""

    audio: np.ndarray
    spans: tuple[tuple[int, int], ...]  # (start, end) samples of each region in the window

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def window_time(self, seconds: float, region: int | None = None, end: bool = False) -> float:
        """The window time of a moment ``seconds`` into the chunk."""
        if region is None:
            region = self.region_at(seconds, end)
        start, _ = self.spans[region]
        before = self._offsets()[region]
        return round((start + seconds * SAMPLE_RATE - before) / SAMPLE_RATE, 3)

    def region_at(self, seconds: float, end: bool = False) -> int:
        sample = seconds * SAMPLE_RATE
        ends = self._offsets()[1:]
        index = bisect.bisect_left(ends, sample) if end else bisect.bisect_right(ends, sample)
        return min(index, len(self.spans) - 1)

    def _offsets(self) -> list[int]:
        offsets = [0]
        for start, end in self.spans:
            offsets.append(offsets[-1] + end - start)
        return offsets

    def to_window(self, segment: Segment) -> Segment:
        """A segment timed in the chunk, timed in the window (words mapped region by region)."""
        if segment.words:
            words = tuple(self._word(w) for w in segment.words)
            return replace(segment, start=words[0].start, end=words[-1].end, words=words)
        start = self.window_time(segment.start)
        end = max(self.window_time(segment.end, end=True), start)
        return replace(segment, start=start, end=end)

    def _word(self, word: Word) -> Word:
        region = self.region_at((word.start + word.end) / 2)
        start = self.window_time(word.start, region)
        return replace(word, start=start, end=max(self.window_time(word.end, region), start))


def speech_chunks(audio: np.ndarray, vad: VadSettings | None) -> list[SpeechChunk]:
    """The window's speech as chunks of at most 30 s; ``vad`` None decodes everything."""
    if audio.size == 0:
        return []
    if vad is None:
        bounds = window_bounds(audio, CHUNK_SECONDS, _CUT_SEARCH_SECONDS)
        return [SpeechChunk(audio[s:e], ((s, e),)) for s, e in bounds]
    return _join(audio, speech_regions(audio, vad))


def silero() -> Callable[[np.ndarray], np.ndarray]:
    """The process's Silero model: a speech probability for each 512-sample frame of 16 kHz
    audio (the length a multiple of 512; its state lives within one call)."""
    model: Callable[[np.ndarray], np.ndarray] = _silero_vad().get_vad_model()
    return model


def speech_timestamps(audio: np.ndarray, vad: VadSettings) -> list[tuple[int, int]]:
    """(start, end) samples of each speech region Silero finds in 16 kHz audio."""
    silero_vad = _silero_vad()
    options = silero_vad.VadOptions(
        threshold=vad.threshold,
        min_speech_duration_ms=vad.min_speech_ms,
        max_speech_duration_s=vad.max_speech_seconds,
        min_silence_duration_ms=vad.min_silence_ms,
        speech_pad_ms=vad.speech_pad_ms,
    )
    found = silero_vad.get_speech_timestamps(np.asarray(audio, np.float32), options, SAMPLE_RATE)
    return [(int(r["start"]), int(r["end"])) for r in found]


def _silero_vad() -> ModuleType:
    """faster-whisper's Silero VAD (its ONNX model and the region finder around it)."""
    try:
        import faster_whisper.vad
    except ImportError as exc:
        raise ModelInvalidError(
            "voice detection needs faster-whisper (its Silero VAD model), which is not installed",
            hint="pip install faster-whisper, or turn voice detection off (vad_filter=false, "
            "--no-vad)",
        ) from exc
    without_shape_plans(faster_whisper.vad.get_vad_model())  # the model both callers use
    return faster_whisper.vad


def without_shape_plans(model: Any) -> None:
    """Rebuild the Silero model's onnxruntime session with memory plans off (once)."""
    if getattr(model, "shape_plans_off", False):
        return
    with _PLANS_LOCK:
        if getattr(model, "shape_plans_off", False):
            return
        path = getattr(model.session, "_model_path", None)
        if path is None:
            log.warning("voice detection: the Silero session keeps its memory plans (no path)")
        else:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.inter_op_num_threads = options.intra_op_num_threads = 1
            options.enable_cpu_mem_arena = options.enable_mem_pattern = False
            options.log_severity_level = 4
            model.session = onnxruntime.InferenceSession(
                path, providers=["CPUExecutionProvider"], sess_options=options
            )
        model.shape_plans_off = True


def speech_regions(audio: np.ndarray, vad: VadSettings) -> list[tuple[int, int]]:
    """(start, end) samples of each speech region, none longer than a chunk."""
    found = speech_timestamps(audio, replace(vad, max_speech_seconds=SPEECH_SECONDS))
    return [(start, min(end, start + _SPEECH_SAMPLES)) for start, end in found]


def _join(audio: np.ndarray, regions: list[tuple[int, int]]) -> list[SpeechChunk]:
    chunks: list[SpeechChunk] = []
    spans: list[tuple[int, int]] = []
    held = 0
    for start, end in regions:
        if spans and held + end - start > _SPEECH_SAMPLES:
            chunks.append(_chunk(audio, spans))
            spans, held = [], 0
        spans.append((start, end))
        held += end - start
    if spans:
        chunks.append(_chunk(audio, spans))
    return chunks


def _chunk(audio: np.ndarray, spans: list[tuple[int, int]]) -> SpeechChunk:
    pieces = [audio[s:e] for s, e in spans]
    joined = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    return SpeechChunk(joined, tuple(spans))
