"""``bench diarization``: speaker turns on the evaluation set, scored by DER and speaker count.

Every reference is rebuilt from its source clips (bench/diarization_set.py), diarized by the
engine's diarizer (the same one transcriptions use), and scored with a 0.25 s collar.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stt_engine.audio import SAMPLE_RATE
from stt_engine.bench.der import score
from stt_engine.bench.diarization_set import load_reference, reference_turns, render
from stt_engine.diarize.turns import Diarizer, SpeakerCount, relabel

TARGETS = {2: 0.05, 4: 0.10}  # DER wanted by reference speaker count


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

    @property
    def count_right(self) -> bool:
        return self.speakers == self.found


def run_file(path: Path, audio_root: Path, diarizer: Diarizer, collar: float) -> FileScore:
    reference = load_reference(path)
    audio = render(reference, audio_root)
    started = time.perf_counter()
    system = relabel(diarizer.diarize(audio, SpeakerCount()))
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
    )


def summary(scores: list[FileScore]) -> dict[str, Any]:
    audio = sum(s.seconds for s in scores) or 1.0
    return {
        "files": len(scores),
        "speaker_count_accuracy": round(sum(s.count_right for s in scores) / len(scores), 3)
        if scores
        else 0.0,
        "seconds_per_audio_minute": round(sum(s.diarize_seconds for s in scores) / audio * 60, 2),
        "results": [{**asdict(s), "count_right": s.count_right} for s in scores],
    }


def table(scores: list[FileScore]) -> str:
    lines = [
        f"{'file':<18} {'sec':>6} {'spk':>3} {'found':>5} {'DER':>6} {'miss':>6} "
        f"{'FA':>6} {'conf':>6} {'target':>6}"
    ]
    for s in scores:
        target = TARGETS.get(s.speakers)
        verdict = "" if target is None else ("ok" if s.der < target else "MISSED")
        lines.append(
            f"{s.name:<18} {s.seconds:>6.1f} {s.speakers:>3} {s.found:>5} {s.der:>6.1%} "
            f"{s.missed:>6.1%} {s.false_alarm:>6.1%} {s.confusion:>6.1%} {verdict:>6}"
        )
    return "\n".join(lines)
