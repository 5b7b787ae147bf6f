"""Known speakers put on found ones: a found speaker whose voice matches a reference carries
the reference's name, the others keep ``SPEAKER_N``.

Each found speaker's voice is the CAM++ embedding of up to 60 s of their turns; each known
speaker's, that of their 2-10 s reference. Pairs are matched one to one, most similar
first, and only at ``threshold`` cosine similarity or more (``known_speaker_cosine``,
docs/diarization.md). One to one matters: the mean embeddings of two different voices can
be close (0.94 between two Korean voices of the corpus), closer than a voice to its own
reference in another recording (0.87 at worst); a speaker already named cannot take a second
name, and a name already given cannot go to a second speaker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stt_engine.diarize.turns import SpeakerEmbedder, SpeakerTurn

SAMPLE_RATE = 16_000
VOICE_SECONDS = 60.0  # the most of a found speaker's speech that is embedded
_SHORTEST_TURN = 0.5  # shorter turns are mostly edges and overlaps


@dataclass(frozen=True, slots=True)
class KnownVoice:
    """A known speaker: the name, and the unit-length embedding of their reference."""

    name: str
    embedding: np.ndarray


def known_voices(
    names: Sequence[str], references: Sequence[np.ndarray], embedder: SpeakerEmbedder
) -> list[KnownVoice]:
    """The voices of decoded references, in the names' order."""
    return [
        KnownVoice(name, np.asarray(embedder.embed(audio), dtype=np.float64))
        for name, audio in zip(names, references, strict=True)
    ]


def match(
    similarity: dict[str, list[float]], names: Sequence[str], threshold: float
) -> dict[str, str]:
    """{found label: name}, one to one, the most similar pairs first, at ``threshold`` or more.

    ``similarity[label][i]`` is the cosine between that found speaker and the i-th name.
    """
    pairs = sorted(
        ((score, label, index) for label, row in similarity.items() for index, score in
         enumerate(row) if score >= threshold),
        reverse=True,
    )  # fmt: skip
    named: dict[str, str] = {}
    taken: set[int] = set()
    for _, label, index in pairs:
        if label not in named and index not in taken:
            named[label] = names[index]
            taken.add(index)
    return named


def speaker_audio(audio: np.ndarray, turns: list[SpeakerTurn], speaker: str) -> np.ndarray:
    """Up to ``VOICE_SECONDS`` of one speaker's turns, longest turns first, joined."""
    own = sorted((t for t in turns if t.speaker == speaker), key=lambda t: -t.seconds)
    kept = [t for t in own if t.seconds >= _SHORTEST_TURN] or own
    pieces, total = [], 0
    for turn in kept:
        piece = audio[int(turn.start * SAMPLE_RATE) : int(turn.end * SAMPLE_RATE)]
        pieces.append(piece[: int(VOICE_SECONDS * SAMPLE_RATE) - total])
        total += pieces[-1].size
        if total >= VOICE_SECONDS * SAMPLE_RATE:
            break
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def name_turns(
    turns: list[SpeakerTurn],
    audio: np.ndarray,
    voices: Sequence[KnownVoice],
    embedder: SpeakerEmbedder,
    threshold: float,
) -> list[SpeakerTurn]:
    """The turns with each matched speaker's label replaced by the known name."""
    if not voices or not turns:
        return turns
    similarity: dict[str, list[float]] = {}
    for speaker in dict.fromkeys(t.speaker for t in turns):
        samples = speaker_audio(audio, turns, speaker)
        if samples.size < SAMPLE_RATE // 2:
            continue  # too little voice to tell whose it is
        found = np.asarray(embedder.embed(samples), dtype=np.float64)
        similarity[speaker] = [float(found @ v.embedding) for v in voices]
    named = match(similarity, [v.name for v in voices], threshold)
    return [SpeakerTurn(t.start, t.end, named.get(t.speaker, t.speaker)) for t in turns]
