"""Speakers put on a transcript: per word where words are timed, else per segment.

A word (or a segment without words) takes the speaker whose turns overlap it the most; one
that overlaps no turn takes the speaker of the nearest turn. A segment whose words change
speaker is split there, each piece keeping its words; pieces and segments are renumbered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from stt_engine.diarize.turns import SpeakerTurn
from stt_engine.transcript import Segment, Word


def speaker_at(start: float, end: float, turns: list[SpeakerTurn]) -> str | None:
    """The speaker who talks the most within [start, end]; the nearest one if nobody does."""
    if not turns:
        return None
    overlap: dict[str, float] = {}
    for turn in turns:
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=lambda name: overlap[name])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: _distance(middle, t))
    return nearest.speaker


def _distance(point: float, turn: SpeakerTurn) -> float:
    if point < turn.start:
        return turn.start - point
    return max(point - turn.end, 0.0)


def assign_speakers(segments: Iterable[Segment], turns: list[SpeakerTurn]) -> Iterator[Segment]:
    """The segments with speakers on them (and their words), split at changes, renumbered."""
    number = 0
    for segment in segments:
        for piece in _pieces(segment, turns):
            yield replace(piece, id=number)
            number += 1


def _pieces(segment: Segment, turns: list[SpeakerTurn]) -> list[Segment]:
    if not segment.words:
        return [replace(segment, speaker=speaker_at(segment.start, segment.end, turns))]
    words = [replace(w, speaker=speaker_at(w.start, w.end, turns)) for w in segment.words]
    runs = _runs(words)
    if len(runs) == 1:
        return [replace(segment, words=tuple(words), speaker=words[0].speaker)]
    pieces = []
    for index, run in enumerate(runs):
        first, last = index == 0, index == len(runs) - 1
        text = "".join(w.word for w in run)
        pieces.append(
            replace(
                segment,
                start=segment.start if first else run[0].start,
                end=segment.end if last else run[-1].end,
                text=text if first or text.startswith(" ") else " " + text,
                tokens=(),  # the tokens belong to the whole segment
                words=tuple(run),
                speaker=run[0].speaker,
                redactions=segment.redactions if first else (),
            )
        )
    return pieces


def _runs(words: list[Word]) -> list[list[Word]]:
    """Consecutive words of one speaker, grouped."""
    runs: list[list[Word]] = []
    for word in words:
        if runs and runs[-1][-1].speaker == word.speaker:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs
