"""Diarization error rate, frame by frame, with a forgiveness collar around reference edges.

Time is cut into 10 ms frames. Frames within ``collar`` seconds of a reference turn's start
or end are not scored. In each scored frame, with R reference and H system speakers and the
system's speakers mapped one-to-one onto the reference's (the mapping that matches the most
speech): missed speech is max(R - H, 0), false alarm max(H - R, 0), confusion
min(R, H) minus the matched speakers. DER is their sum over the scored reference speech.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stt_engine.diarize.turns import SpeakerTurn

STEP = 0.01  # seconds per frame


@dataclass(frozen=True, slots=True)
class DerResult:
    scored: float  # seconds of reference speech scored
    missed: float
    false_alarm: float
    confusion: float
    reference_speakers: int
    system_speakers: int

    @property
    def der(self) -> float:
        if self.scored <= 0:
            return 0.0
        return (self.missed + self.false_alarm + self.confusion) / self.scored


def _matrix(turns: Sequence[SpeakerTurn], frames: int) -> tuple[np.ndarray, list[str]]:
    names = sorted({t.speaker for t in turns})
    grid = np.zeros((len(names), frames), dtype=bool)
    for turn in turns:
        a, b = round(turn.start / STEP), round(turn.end / STEP)
        grid[names.index(turn.speaker), max(a, 0) : max(min(b, frames), 0)] = True
    return grid, names


def _scored_mask(reference: Sequence[SpeakerTurn], frames: int, collar: float) -> np.ndarray:
    mask = np.ones(frames, dtype=bool)
    width = round(collar / STEP)
    for turn in reference:
        for edge in (round(turn.start / STEP), round(turn.end / STEP)):
            mask[max(edge - width, 0) : max(min(edge + width, frames), 0)] = False
    return mask


def _best_match(ref: np.ndarray, hyp: np.ndarray) -> float:
    """Frames where a mapped system speaker matches, under the best one-to-one mapping."""
    if ref.shape[0] == 0 or hyp.shape[0] == 0:
        return 0.0
    from scipy.optimize import linear_sum_assignment

    overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return float(overlap[rows, cols].sum())


def score(
    reference: Sequence[SpeakerTurn], system: Sequence[SpeakerTurn], collar: float = 0.25
) -> DerResult:
    """DER of ``system`` against ``reference`` (times in seconds)."""
    end = max((t.end for t in (*reference, *system)), default=0.0)
    frames = round(end / STEP) + 1
    mask = _scored_mask(reference, frames, collar)
    ref, ref_names = _matrix(reference, frames)
    hyp, hyp_names = _matrix(system, frames)
    ref, hyp = ref[:, mask], hyp[:, mask]
    r, h = ref.sum(axis=0), hyp.sum(axis=0)
    matched = _best_match(ref, hyp)
    return DerResult(
        scored=float(r.sum()) * STEP,
        missed=float(np.maximum(r - h, 0).sum()) * STEP,
        false_alarm=float(np.maximum(h - r, 0).sum()) * STEP,
        confusion=(float(np.minimum(r, h).sum()) - matched) * STEP,
        reference_speakers=len(ref_names),
        system_speakers=len(hyp_names),
    )
