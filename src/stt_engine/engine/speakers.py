"""Who spoke when, for a prepared request: the speaker turns a transcription's segments are
labelled with, and known speakers' names on the voices that match their references."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stt_engine.audio import AudioStream, decode_audio
from stt_engine.diarize import run as diarize
from stt_engine.diarize.turns import SpeakerCount, SpeakerTurn

if TYPE_CHECKING:
    from stt_engine.engine.engine import Engine
    from stt_engine.engine.prepared import Prepared


def reference_voices(references: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Known speakers' references decoded and checked (InvalidRequestError naming the field)."""
    if not references:
        return ()
    from stt_engine.diarize.references import reference_audio

    return tuple(reference_audio(url, index) for index, url in enumerate(references))


def speaker_turns(
    engine: Engine,
    audio: np.ndarray | AudioStream,
    prepared: Prepared,
    words: tuple[tuple[float, float], ...],
) -> list[SpeakerTurn]:
    """The speaker turns (called after the last segment was decoded, with its words' spans,
    which bring back speech the diarization's voice detection missed)."""
    options = prepared.options
    request = diarize.DiarizeRequest(
        options.diarize_mode,
        SpeakerCount(options.num_speakers, options.min_speakers, options.max_speakers),
        words,
    )
    source = audio.path if isinstance(audio, AudioStream) else audio
    backend = engine.diarizer() if diarize.available() else None
    turns = diarize.speaker_turns(source, request, backend, prepared.limits)
    if options.known_speaker_names:
        turns = _named(engine, turns, source, prepared)
    return turns


def _named(
    engine: Engine, turns: list[SpeakerTurn], source: np.ndarray | Path, prepared: Prepared
) -> list[SpeakerTurn]:
    """The turns with known speakers' names on the speakers whose voices match."""
    from stt_engine.diarize import known

    diarize.require()
    embedder = engine.speaker_embedder()
    names = prepared.options.known_speaker_names
    voices = known.known_voices(names, list(prepared.voices), embedder)
    audio = decode_audio(source, prepared.limits) if isinstance(source, Path) else source
    threshold = engine.settings.known_speaker_cosine
    return known.name_turns(turns, audio, voices, embedder, threshold)
