"""What a run transcribes: audio files, walked folders, manifests and list files.

This is the one folder walker, for ``stt-engine batch`` and ``stt-engine transcribe``. Each
item has a ``key``: the stem of its outputs under the output folder. For ``batch`` a folder's
files keep their path below the folder (``calls/2024/a.wav`` -> ``calls/2024/a``), so two
files of the same name in different folders never share outputs, and a manifest's or list's
entries keep their path relative to the manifest. ``transcribe`` takes files and folders only
and names outputs by the file's stem alone. Two items that would share a key are refused before
anything runs; a file named twice runs once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from stt_engine.errors import InvalidRequestError, quoted

# What a folder walk picks up, by suffix (any case); a file named directly is taken as it is.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga", ".webm", ".mp4", ".mkv",
     ".mov", ".avi", ".wma", ".amr", ".aiff", ".aif", ".3gp"}
)  # fmt: skip
MANIFEST_SUFFIXES = frozenset({".jsonl", ".json"})
LIST_SUFFIXES = frozenset({".txt", ".list", ".lst", ".tsv", ".csv"})
# Keys a manifest line may name its audio file by (NeMo's first).
PATH_KEYS = ("audio_filepath", "file", "path", "audio")


_BATCH_CLASH = "rename one, or give their folder instead of the files"
_FLAT_CLASH = "rename one: transcribe names outputs by file name (batch keeps sub-folders)"


@dataclass(frozen=True, slots=True)
class Item:
    source: Path  # the audio file (batch: absolute; transcribe: as given)
    key: str  # the outputs' stem, relative to the output folder (POSIX separators)


def audio_files(folder: Path) -> list[Path]:
    """The audio files anywhere below ``folder``, by suffix, in a stable order."""
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )


def collect_files(paths: Sequence[Path]) -> list[Item]:
    """``transcribe``'s items: files as given and walked folders, each keyed by its stem."""
    found: list[Path] = []
    for path in paths:
        found.extend(audio_files(path) if path.is_dir() else [path])
    return _unique([Item(p, p.stem) for p in found], _FLAT_CLASH)


def collect(inputs: Sequence[Path]) -> list[Item]:
    """``batch``'s items: every item the inputs name, in a stable order."""
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
    return _unique(items, _BATCH_CLASH)


def _folder(folder: Path) -> list[Item]:
    return [Item(p.resolve(), _stem(p.relative_to(folder))) for p in audio_files(folder)]


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


def _unique(items: list[Item], hint: str) -> list[Item]:
    """Items once each (a file named twice runs once); two files on one key are refused."""
    seen: dict[str, Item] = {}
    unique = []
    for item in items:
        other = seen.setdefault(item.key, item)
        if other is item:
            unique.append(item)
        elif other.source.resolve() != item.source.resolve():
            raise InvalidRequestError(
                f"{other.source} and {item.source} would both write {quoted(item.key)}",
                hint=hint,
            )
    return unique
