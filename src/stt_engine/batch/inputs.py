"""What a batch run transcribes: audio files, walked folders, manifests and list files.

Each item has a ``key``: the stem of its outputs under the output folder. A folder's files keep
their path below the folder (``calls/2024/a.wav`` -> ``calls/2024/a``), so two files of the same
name in different folders never share outputs; a manifest's or list's entries keep their path
relative to the manifest. Two items that would share a key are refused before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from stt_engine.cli.transcribe_plan import AUDIO_SUFFIXES
from stt_engine.errors import InvalidRequestError, quoted

MANIFEST_SUFFIXES = frozenset({".jsonl", ".json"})
LIST_SUFFIXES = frozenset({".txt", ".list", ".lst", ".tsv", ".csv"})
# Keys a manifest line may name its audio file by (NeMo's first).
PATH_KEYS = ("audio_filepath", "file", "path", "audio")


@dataclass(frozen=True, slots=True)
class Item:
    source: Path  # the audio file, absolute
    key: str  # the outputs' stem, relative to the output folder (POSIX separators)


def collect(inputs: Sequence[Path]) -> list[Item]:
    """Every item the inputs name, in a stable order; duplicate keys are refused."""
    items: list[Item] = []
    for path in inputs:
        if path.is_dir():
            items.extend(_folder(path))
        elif path.suffix.lower() in MANIFEST_SUFFIXES:
            items.extend(_entries(path, _manifest_paths(path)))
        elif path.suffix.lower() in LIST_SUFFIXES:
            items.extend(_entries(path, _list_paths(path)))
        else:
            items.append(Item(path.resolve(), path.stem))
    return _unique(items)


def _folder(folder: Path) -> list[Item]:
    found = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )
    return [Item(p.resolve(), _stem(p.relative_to(folder))) for p in found]


def _entries(listing: Path, paths: Iterable[str]) -> list[Item]:
    base = listing.resolve().parent
    items = []
    for text in paths:
        path = Path(text).expanduser()
        source = path if path.is_absolute() else base / path
        try:
            key = _stem(source.relative_to(base))
        except ValueError:  # outside the manifest's folder: the name alone
            key = source.stem
        items.append(Item(source, key))
    return items


def _manifest_paths(manifest: Path) -> Iterable[str]:
    for number, line in enumerate(_lines(manifest), start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidRequestError(f"{manifest}:{number}: not JSON ({exc.msg})") from exc
        found = [entry[k] for k in PATH_KEYS if isinstance(entry, dict) and k in entry]
        if not found or not isinstance(found[0], str):
            raise InvalidRequestError(
                f"{manifest}:{number}: no audio path",
                hint="each line needs one of: " + ", ".join(PATH_KEYS),
            )
        yield found[0]


def _list_paths(listing: Path) -> Iterable[str]:
    return (line for line in _lines(listing) if not line.startswith("#"))


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"cannot read {path}: {exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def _stem(relative: Path) -> str:
    return str(PurePosixPath(*relative.parts).with_suffix(""))


def _unique(items: list[Item]) -> list[Item]:
    """Items once each (a file named twice runs once); two files on one key are refused."""
    seen: dict[str, Path] = {}
    unique = []
    for item in items:
        other = seen.setdefault(item.key, item.source)
        if other != item.source:
            raise InvalidRequestError(
                f"{other} and {item.source} would both write {quoted(item.key)}",
                hint="rename one, or give their folder instead of the files",
            )
        if other is item.source:
            unique.append(item)
    return unique
