"""Saved voice profiles: a known speaker's name and 2-10 s of their voice, kept on the server.

A request that names known speakers without giving references (``known_speaker_names[]``
alone) gets them from here, so a call centre enrols its agents once. A profile is a JSON file
in ``<data_dir>/speakers/<scope>/``: the name, and the voice as a 16 kHz WAV data URL (the
same form a request's reference takes). The scope is the API key's (a digest, never the key)
when the server has keys, else ``shared``; ``stt-engine speakers add`` writes to ``shared``
unless given a key. A key sees its own profiles and the shared ones, its own first.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stt_engine.diarize.references import NAMES, check_name, checked_seconds, data_url
from stt_engine.errors import NotFoundError, StorageError, quoted
from stt_engine.files import replacing

if TYPE_CHECKING:
    import numpy as np

SHARED = "shared"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    seconds: float
    created_at: int
    scope: str  # "key" (the caller's own) or "shared"
    reference: str  # the voice as a data URL

    def describe(self) -> dict[str, object]:
        return {
            "object": "speaker",
            "name": self.name,
            "seconds": round(self.seconds, 2),
            "created_at": self.created_at,
            "scope": self.scope,
        }


class SpeakerProfiles:
    """Profiles under ``<data_dir>/speakers``; ``owner`` is a caller digest or None."""

    def __init__(self, data_dir: Path):
        self.root = data_dir / "speakers"

    def folders(self, owner: str | None) -> list[tuple[str, Path]]:
        """(scope, folder) a caller reads, its own first."""
        shared = (SHARED, self.root / SHARED)
        if owner is None:
            return [shared]
        return [("key", self.root / owner.replace(":", "-")), shared]

    def save(self, owner: str | None, name: str, samples: np.ndarray) -> Profile:
        """Store (or replace) a profile in the caller's own scope."""
        from stt_engine.audio import wav_bytes

        name = check_name(name)
        seconds = checked_seconds(samples)
        scope, folder = self.folders(owner)[0]
        record = {
            "name": name,
            "seconds": seconds,
            "created_at": int(time.time()),
            "reference": data_url(wav_bytes(samples)),
        }
        try:
            with replacing(folder / _file(name)) as partial:
                partial.write_text(json.dumps(record), encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot save the voice profile: {exc}") from exc
        return _profile(record, scope)

    def load(self, owner: str | None, name: str) -> Profile:
        for scope, folder in self.folders(owner):
            path = folder / _file(check_name(name))
            if path.is_file():
                return _read(path, scope)
        raise NotFoundError(
            f"no saved voice profile named {quoted(name)}",
            hint="save one with PUT /v1/speakers/{name} or 'stt-engine speakers add', or send "
            "known_speaker_references[] with the names",
            param=NAMES,
        )

    def delete(self, owner: str | None, name: str) -> None:
        """Remove a profile of the caller's own scope (shared ones are the operator's)."""
        path = self.folders(owner)[0][1] / _file(check_name(name))
        if not path.is_file():
            self.load(owner, name)  # 404 when it does not exist at all
            raise NotFoundError(
                f"the voice profile {quoted(name)} is the server's, not this key's",
                hint="remove it on the server: stt-engine speakers remove NAME",
                param=NAMES,
            )
        path.unlink()

    def listed(self, owner: str | None) -> list[Profile]:
        """Every profile a caller can use, by name (its own hiding shared ones of that name)."""
        found: dict[str, Profile] = {}
        for scope, folder in self.folders(owner):
            for profile in _profiles(folder, scope):
                found.setdefault(profile.name, profile)
        return sorted(found.values(), key=lambda p: p.name)

    def references(self, owner: str | None, names: Sequence[str]) -> tuple[str, ...]:
        """The saved voices of these names, in order (NotFoundError naming the first missing)."""
        return tuple(self.load(owner, name).reference for name in names)


def _file(name: str) -> str:
    """A profile's file name: a digest, as names may hold any printable character."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:32] + ".json"


def _read(path: Path, scope: str) -> Profile:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StorageError(f"the voice profile {path.name} cannot be read: {exc}") from exc
    return _profile(record, scope)


def _profile(record: dict[str, object], scope: str) -> Profile:
    return Profile(
        str(record["name"]),
        float(record["seconds"]),  # type: ignore[arg-type]
        int(record["created_at"]),  # type: ignore[call-overload]
        scope,
        str(record["reference"]),
    )


def _profiles(folder: Path, scope: str) -> Iterator[Profile]:
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            yield _read(path, scope)
