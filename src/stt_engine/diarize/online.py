"""Speakers of a live session, assigned one turn at a time and never relabelled.

Each finished turn brings one voice embedding. It joins the known speaker whose centroid is
most cosine-similar when that similarity reaches the threshold, else it starts a new speaker
(up to ``max_speakers``; past that it joins the nearest). A centroid is the sum of its turns'
embeddings weighted by their length, so it steadies as a speaker talks.

A short turn (a "네", a name) gives a rough voice print: measured on the evaluation set, one
of 1.2 s scored 0.56 against its own speaker and 0.43 against the other. Such a turn never
starts a speaker while one is known: it takes the nearest speaker's label and leaves the
centroids alone. Labels go out as turns complete and are never changed afterwards: unlike
offline clustering, a later turn cannot revise an earlier one.
"""

from __future__ import annotations

import numpy as np

from stt_engine.diarize.turns import speaker_label

DEFAULT_MAX_SPEAKERS = 15
MIN_VOICE_SECONDS = 2.0  # a turn shorter than this (padding included) starts no speaker


class OnlineSpeakers:
    """Speaker labels for a sequence of turn embeddings."""

    def __init__(self, threshold: float, max_speakers: int = DEFAULT_MAX_SPEAKERS):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.max_speakers = max(max_speakers, 1)
        self._sums: list[np.ndarray] = []

    @property
    def count(self) -> int:
        return len(self._sums)

    def assign(self, embedding: np.ndarray, seconds: float = MIN_VOICE_SECONDS) -> str:
        """The label of the speaker a turn of ``seconds`` with this embedding belongs to."""
        vector = _unit(np.asarray(embedding, dtype=np.float64).reshape(-1))
        if not self._sums:
            self._sums.append(vector * seconds)
            return speaker_label(0)
        similarities = [float(_unit(total) @ vector) for total in self._sums]
        best = int(np.argmax(similarities))
        if seconds < MIN_VOICE_SECONDS:
            return speaker_label(best)
        if similarities[best] >= self.threshold or self.count >= self.max_speakers:
            self._sums[best] = self._sums[best] + vector * seconds
            return speaker_label(best)
        self._sums.append(vector * seconds)
        return speaker_label(self.count - 1)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
