"""What ``stt-engine transcribe`` will do: the audio files found, and each one's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stt_engine.formats import FORMATS

AUDIO_SUFFIXES = frozenset(
    {
        ".wav",
        ".flac",
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".opus",
        ".oga",
        ".webm",
        ".mp4",
        ".mkv",
        ".mov",
        ".avi",
        ".wma",
        ".amr",
        ".aiff",
        ".aif",
        ".3gp",
    }
)


@dataclass(frozen=True)
class Job:
    source: Path
    outputs: dict[str, Path]


def collect_sources(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and audio files found by walking folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                )
            )
        else:
            found.append(path)
    return found


def plan(sources: list[Path], formats: tuple[str, ...], out: Path, to_stdout: bool) -> list[Job]:
    jobs = []
    for source in sources:
        outputs = (
            {} if to_stdout else {f: out / f"{source.stem}.{FORMATS[f].extension}" for f in formats}
        )
        jobs.append(Job(source, outputs))
    return jobs
