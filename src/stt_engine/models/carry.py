"""Bring a model folder into the models directory, with a checksum manifest.

A team carries a fine-tuned model onto the server next to the bundle; ``models import``
checks the folder (either format), copies it (or links it, to save space on one disk) under
the models directory and records or verifies the sha256 of every file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from stt_engine.errors import ModelInvalidError
from stt_engine.models.layout import MANIFEST_NAME, check_folder, verify_manifest, write_manifest

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def import_folder(
    source: Path, models_dir: Path, name: str | None = None, *, link: bool = False
) -> Path:
    """Copy or link ``source`` to ``models_dir/name``; the new folder's path."""
    check_folder(source)
    name = check_name(name or source.resolve().name)
    target = models_dir / name
    if target.exists() or target.is_symlink():
        raise ModelInvalidError(
            f"a model named '{name}' already exists at {target}",
            hint="pick another --name, or remove the old folder first",
        )
    _check_manifest(source)
    models_dir.mkdir(parents=True, exist_ok=True)
    if link:
        target.symlink_to(source.resolve(), target_is_directory=True)
    else:
        _copy(source, target)
        if not (target / MANIFEST_NAME).is_file():
            write_manifest(target)
    check_folder(target)
    return target


def check_name(name: str) -> str:
    """The name, if it can name a folder in the models directory; else ModelInvalidError."""
    if not _NAME.match(name):
        raise ModelInvalidError(
            f"invalid model name '{name}'",
            hint="use letters, digits, '.', '_' or '-' (at most 128), starting with a letter "
            "or digit",
            param="name",
        )
    return name


def _check_manifest(source: Path) -> None:
    if (source / MANIFEST_NAME).is_file():
        problems = verify_manifest(source)
        if problems:
            raise ModelInvalidError(
                f"{source} does not match its manifest: " + "; ".join(problems),
                hint="re-copy the folder from where it was built",
            )


def _copy(source: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        shutil.copytree(source, partial)
        partial.rename(target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelInvalidError(f"could not copy {source} to {target}: {exc}") from exc
