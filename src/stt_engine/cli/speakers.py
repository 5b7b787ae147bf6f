"""``stt-engine speakers list|add|remove``: saved voice profiles in the data folder.

The server reads the same folder: a profile added here (the ``shared`` scope) is used by every
caller that names it, unless ``--api-key`` puts it in that key's own scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from stt_engine.cli.flags import settings_overrides

if TYPE_CHECKING:
    from stt_engine.diarize.profiles import SpeakerProfiles

_DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False), default=None)
_KEY = click.option(
    "--api-key",
    default=None,
    help="Work in this API key's own profiles instead of the shared ones.",
)


def _store(data_dir: str | None) -> SpeakerProfiles:
    from stt_engine.config import load_settings
    from stt_engine.diarize.profiles import SpeakerProfiles

    settings = load_settings(**settings_overrides(data_dir=data_dir))
    return SpeakerProfiles(settings.data_dir)


def _owner(api_key: str | None) -> str | None:
    from stt_engine.server.auth import key_owner

    return key_owner(api_key) if api_key else None


@click.group()
def speakers() -> None:
    """Manage saved voice profiles (known speakers a request names without a reference)."""


@speakers.command("list")
@_DATA_DIR
@_KEY
def list_profiles(data_dir: str | None, api_key: str | None) -> None:
    """The profiles a caller (the shared scope, or --api-key's) can use."""
    store = _store(data_dir)
    found = store.listed(_owner(api_key))
    if not found:
        click.echo(f"no voice profiles (add one with: stt-engine speakers add NAME FILE) in "
                   f"{store.root}")  # fmt: skip
    for profile in found:
        click.echo(f"{profile.name:<24} {profile.seconds:5.1f} s  {profile.scope}")


@speakers.command("add")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_DATA_DIR
@_KEY
def add(name: str, file: str, data_dir: str | None, api_key: str | None) -> None:
    """Save 2 to 10 s of one speaker's voice (any audio file) as NAME's profile."""
    from pathlib import Path

    from stt_engine.diarize.references import voice_sample

    samples = voice_sample(Path(file))
    profile = _store(data_dir).save(_owner(api_key), name, samples)
    click.echo(f"{profile.name}: {profile.seconds:.1f} s saved ({profile.scope})")


@speakers.command("remove")
@click.argument("name")
@_DATA_DIR
@_KEY
def remove(name: str, data_dir: str | None, api_key: str | None) -> None:
    """Remove NAME's profile."""
    _store(data_dir).delete(_owner(api_key), name)
    click.echo(f"{name}: removed")
