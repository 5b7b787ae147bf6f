"""NeMo-style JSON-lines manifests: one clip per line with its reference text.

Keys read: ``audio_filepath`` (relative paths are taken from the manifest's folder),
``duration`` (seconds), ``text`` (or another field chosen with ``text_field``, falling back to
``text`` on lines without it) and ``lang``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from stt_engine.errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class Clip:
    """One manifest entry."""

    name: str  # audio_filepath as written in the manifest
    path: Path
    duration: float
    text: str
    language: str  # "" when the manifest does not say


@dataclass(frozen=True, slots=True)
class Selection:
    """Which manifest entries a run uses."""

    language: str | None = None  # keep clips of this language only
    contains: tuple[str, ...] = ()  # keep clips whose audio_filepath contains any of these
    limit: int | None = None  # at most this many, in manifest order
    spread: bool = False  # with limit: that many spread evenly over all selected clips
    max_duration: float | None = None  # skip clips longer than this (seconds)
    text_field: str = "text"


def read_manifest(manifest: Path, selection: Selection | None = None) -> list[Clip]:
    """The selected clips of a manifest, in file order."""
    selection = selection or Selection()
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidRequestError(f"cannot read manifest {manifest}: {exc}") from exc
    clips: list[Clip] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        clip = _parse(line, manifest, number, selection.text_field)
        if _selected(clip, selection):
            clips.append(clip)
            if not selection.spread and selection.limit and len(clips) >= selection.limit:
                break
    if selection.spread and selection.limit and len(clips) > selection.limit:
        step = len(clips) / selection.limit
        clips = [clips[int(i * step)] for i in range(selection.limit)]
    if not clips:
        raise InvalidRequestError(
            f"no clips selected from {manifest}",
            hint="check --lang, --filter, --max-duration and --limit",
        )
    return clips


def _parse(line: str, manifest: Path, number: int, text_field: str) -> Clip:
    where = f"{manifest}:{number}"
    try:
        row = json.loads(line)
        name = str(row["audio_filepath"])
        duration = float(row.get("duration") or 0.0)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidRequestError(f"bad manifest line {where}: {exc}") from exc
    text = row.get(text_field) or row.get("text") or ""
    path = Path(name) if Path(name).is_absolute() else manifest.parent / name
    return Clip(name, path, duration, str(text), str(row.get("lang") or ""))


def _selected(clip: Clip, selection: Selection) -> bool:
    if selection.language and clip.language != selection.language:
        return False
    if selection.contains and not any(part in clip.name for part in selection.contains):
        return False
    return not (selection.max_duration and clip.duration > selection.max_duration)
