"""The filterbank features match Kaldi's (kaldi-native-fbank as the reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_audio
from stt_engine.diarize.fbank import BINS, fbank, subsegment_features

knf = pytest.importorskip("kaldi_native_fbank")


def _kaldi(samples: np.ndarray) -> np.ndarray:
    options = knf.FbankOptions()
    options.frame_opts.dither = 0.0
    options.frame_opts.samp_freq = 16_000
    options.mel_opts.num_bins = BINS
    extractor = knf.OnlineFbank(options)
    extractor.accept_waveform(16_000, samples.tolist())
    extractor.input_finished()
    return np.array([extractor.get_frame(i) for i in range(extractor.num_frames_ready)])


def test_matches_kaldi_on_real_speech(jfk: Path) -> None:
    samples = decode_audio(jfk)[16_000:40_000]
    ours, theirs = fbank(samples), _kaldi(samples)
    assert ours.shape == theirs.shape == (148, BINS)
    assert np.abs(ours - theirs).max() < 0.01


def test_subsegments_are_mean_normalised_and_laid_out_flat(jfk: Path) -> None:
    samples = decode_audio(jfk)
    flat, frames, offsets, dim = subsegment_features(samples, [(1.0, 2.5), (2.0, 2.01)])
    assert dim == BINS and list(frames) == [148, 1]  # a too-short piece is padded to a frame
    assert list(offsets) == [0, 148 * BINS] and flat.size == 149 * BINS
    first = flat[: 148 * BINS].reshape(148, BINS)
    assert np.abs(first.mean(axis=0)).max() < 1e-4
