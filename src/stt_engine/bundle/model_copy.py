"""Copy ready model folders into a bundle, each with its checksummed stt-engine-model.json.

A model the models directory lacks but a hub has (a short name such as ``large-v3-turbo`` or
an ``owner/name`` repository id) is pulled into the models directory first.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from stt_engine.config import Settings
from stt_engine.errors import BundleError, ModelNotFoundError
from stt_engine.models import layout
from stt_engine.models.registry import ModelInfo, ModelRegistry


def add_models(names: tuple[str, ...], settings: Settings, models_root: Path) -> dict[str, Any]:
    """Resolve, verify and copy each model to models_root/<name>; returns what was added."""
    registry = ModelRegistry(settings)
    added: dict[str, Any] = {}
    for requested in names:
        info = _resolve_or_pull(registry, requested, settings)
        if info.name in added:
            continue
        checkable = info.source == "package" or (info.path / layout.MANIFEST_NAME).is_file()
        problems = registry.verify(info.name) if checkable else []
        if problems:
            raise BundleError(
                f"model {info.name} failed verification: {'; '.join(problems)}",
                hint=f"fix or re-pull the model in {info.path} before bundling it",
            )
        folder = _copy_folder(info.path, models_root / info.name, layout.manifest_origin(info.path))
        added[info.name] = {
            "source": info.source,
            "languages": info.languages,
            "size": layout.folder_size(folder),
        }
    return added


def _resolve_or_pull(registry: ModelRegistry, requested: str, settings: Settings) -> ModelInfo:
    """The model's folder; one the models directory lacks is pulled from the hub first."""
    from stt_engine.models import pull

    try:
        return registry.resolve(requested)
    except ModelNotFoundError:
        if not pull.is_pullable(requested):
            raise
    pull.pull(pull.PullRequest(requested), settings.models_dir)  # the hub's progress bars
    return registry.resolve(requested)


def _copy_folder(source: Path, target: Path, origin: dict[str, object] | None = None) -> Path:
    """Copy the model's regular files (not lock or marker files), then write its manifest."""
    target.mkdir(parents=True, exist_ok=False)
    for path in sorted(source.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.name != layout.MANIFEST_NAME:
            shutil.copyfile(path, target / path.name)
    layout.write_manifest(target, origin)
    layout.check_folder(target)
    return target
