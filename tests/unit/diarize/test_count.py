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


def test_a_short_cluster_joins_the_closest_speaker() -> None:
    embeddings = _voices([(0, 20), (1, 20)])
    labels = np.array([0] * 17 + [2] * 3 + [1] * 20)  # 3 windows: 1.8 s
    settled = settle(labels, embeddings, CountRule(min_seconds=5.0, merge_ratio=9.0))
    assert set(settled) == {0, 1} and (settled[17:20] == 0).all()


def test_a_short_cluster_stays_while_the_lower_bound_needs_it() -> None:
    embeddings = _voices([(0, 20), (1, 3)])
    labels = np.array([0] * 20 + [1] * 3)
    assert set(settle(labels.copy(), embeddings, CountRule(5.0, 9.0), low=2)) == {0, 1}
    assert set(settle(labels.copy(), embeddings, CountRule(5.0, 9.0), low=1)) == {0}
    assert 3 * WINDOW_SHIFT < 5.0


def test_one_voice_split_in_two_is_merged() -> None:
    embeddings = _voices([(0, 120), (1, 60)])
    labels = np.array([0] * 60 + [2] * 60 + [1] * 60)  # voice 0 split into clusters 0 and 2
    settled = settle(labels, embeddings, CountRule(min_seconds=0.0, merge_ratio=1.1))
    assert len(set(settled)) == 2 and len(set(settled[:120])) == 1


def test_different_voices_are_not_merged() -> None:
    embeddings = _voices([(0, 20), (1, 20), (2, 20)])
    labels = np.repeat([0, 1, 2], 20)
    settled = settle(labels.copy(), embeddings, CountRule(5.0, 1.1))
    assert (settled == labels).all()


def test_merging_stops_at_the_lower_bound() -> None:
    embeddings = _voices([(0, 240)])
    labels = np.repeat([0, 1, 2, 3], 60)  # one voice in four clusters
    assert len(set(settle(labels.copy(), embeddings, CountRule(0.0, 1.1)))) == 1
    assert len(set(settle(labels.copy(), embeddings, CountRule(0.0, 1.1), low=3))) == 3
