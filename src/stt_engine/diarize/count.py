"""The speaker count after clustering: a voice split in two is put back together.

Spectral clustering picks its count from the eigengap of the windows' affinity alone, and on
two voices it sometimes splits one voice in two (an emotional stretch, a few windows near a
change of speaker). Speakers are further apart than a voice is from itself, so while two
clusters' centroids are more cosine-similar than ``merge_ratio`` times the tighter cluster's
own spread (the mean similarity of its windows to its centroid), the closest pair is merged.
A cluster covering less than ``min_seconds`` (its windows times the window shift) is held to
the looser ``short_ratio``: a few seconds that sound like another speaker are that speaker;
a few seconds of a clearly different voice stay a speaker of their own.

Merging never goes below the lowest count allowed; a given ``num_speakers`` skips it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW_SHIFT = 0.6  # seconds between the starts of senko's 1.5 s embedding windows


@dataclass(frozen=True, slots=True)
class CountRule:
    min_seconds: float = 5.0
    short_ratio: float = 0.95
    merge_ratio: float = 1.1


def settle(labels: np.ndarray, embeddings: np.ndarray, rule: CountRule, low: int = 1) -> np.ndarray:
    """The labels with clusters closer than a voice is to itself merged."""
    unit = _unit(np.asarray(embeddings, dtype=np.float64))
    labels = np.asarray(labels).copy()
    while len(names := np.unique(labels)) > max(low, 1):
        closeness = _closeness(labels, names, unit, rule)
        a, b = np.unravel_index(int(np.argmax(closeness)), closeness.shape)
        if closeness[a, b] < 1.0:
            break
        labels[labels == names[b]] = names[a]
    return labels


def _closeness(
    labels: np.ndarray, names: np.ndarray, unit: np.ndarray, rule: CountRule
) -> np.ndarray:
    """Centroid similarity over the pair's merge threshold (1 or more: merge)."""
    members = [unit[labels == n] for n in names]
    centroids = np.stack([_unit(m.mean(axis=0)) for m in members])
    spread = np.array([float((m @ c).mean()) for m, c in zip(members, centroids, strict=True)])
    short = np.array([len(m) * WINDOW_SHIFT < rule.min_seconds for m in members])
    ratio = np.where(np.logical_or.outer(short, short), rule.short_ratio, rule.merge_ratio)
    closeness = centroids @ centroids.T / (ratio * np.minimum.outer(spread, spread))
    np.fill_diagonal(closeness, -np.inf)
    return np.asarray(closeness)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12))
