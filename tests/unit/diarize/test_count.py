"""The speaker count settled after clustering: short clusters dissolved, close ones merged."""

from __future__ import annotations

import numpy as np

from stt_engine.diarize.count import WINDOW_SHIFT, CountRule, settle


def _voices(spec: list[tuple[int, int]], spread: float = 1.0, seed: int = 0) -> np.ndarray:
    """Window embeddings: for each (voice, windows), that many noisy copies of the voice
    (about 0.8 cosine-similar to it, as real windows are to their speaker)."""
    rng = np.random.default_rng(seed)
    centres = np.eye(8) * 4.0
    rows = [centres[voice] + rng.normal(0, spread, (n, 8)) for voice, n in spec]
    return np.concatenate(rows)


def test_a_short_cluster_of_a_known_voice_joins_it() -> None:
    embeddings = _voices([(0, 60), (1, 60)])
    labels = np.array([0] * 54 + [2] * 6 + [1] * 60)  # 6 windows of voice 0: 3.6 s
    assert CountRule().min_seconds > 6 * WINDOW_SHIFT
    settled = settle(labels, embeddings, CountRule())
    assert set(settled) == {0, 1} and (settled[54:60] == 0).all()


def test_a_short_cluster_of_a_new_voice_stays() -> None:
    embeddings = _voices([(0, 60), (1, 6)])
    labels = np.array([0] * 60 + [1] * 6)
    assert set(settle(labels, embeddings, CountRule())) == {0, 1}


def test_one_voice_split_in_two_is_merged() -> None:
    embeddings = _voices([(0, 120), (1, 60)])
    labels = np.array([0] * 60 + [2] * 60 + [1] * 60)  # voice 0 split into clusters 0 and 2
    settled = settle(labels, embeddings, CountRule(min_seconds=0.0, merge_ratio=1.1))
    assert len(set(settled)) == 2 and len(set(settled[:120])) == 1


def test_different_voices_are_not_merged() -> None:
    embeddings = _voices([(0, 20), (1, 20), (2, 20)])
    labels = np.repeat([0, 1, 2], 20)
    settled = settle(labels.copy(), embeddings, CountRule())
    assert (settled == labels).all()


def test_merging_stops_at_the_lower_bound() -> None:
    embeddings = _voices([(0, 240)])
    labels = np.repeat([0, 1, 2, 3], 60)  # one voice in four clusters
    assert len(set(settle(labels.copy(), embeddings, CountRule()))) == 1
    assert len(set(settle(labels.copy(), embeddings, CountRule(), low=3))) == 3
