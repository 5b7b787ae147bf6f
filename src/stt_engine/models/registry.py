"""Resolve a model name to a ready folder, list what is available, verify checksums.

Resolution order: an explicit path; a folder in the models directory; a model shipped by an
installed package; an alias of either (``aliases.py``: ``whisper-1`` means the default model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from stt_engine.config import Settings
from stt_engine.errors import ModelNotFoundError, quoted
from stt_engine.files import sha256_file
from stt_engine.models import aliases, assemble, layout, pull
from stt_engine.models.catalog import PACKAGED


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    source: str  # "path", "models_dir" or "package"
    path: Path
    size: int
    languages: str
    format: str = layout.CTRANSLATE2  # layout.CTRANSLATE2 or layout.TRANSFORMERS

    @property
    def multilingual(self) -> bool:
        return self.languages == "multilingual"


class ModelRegistry:
    def __init__(self, settings: Settings):
        self._settings = settings

    @property
    def default_name(self) -> str:
        return self._settings.default_model

    def canonical(self, name: str | None) -> str:
        """The name a request's model id stands for (aliases and 'whisper-1' resolved)."""
        return aliases.canonical(name, self._settings.default_model)

    def resolve(self, name: str | None, *, paths: bool = True) -> ModelInfo:
        """A ready, structurally valid model folder for the name, or ModelNotFoundError.

        ``paths``: a folder path may name a model (the operator's CLI and settings); a
        client's request resolves with ``paths=False``, so it names listed models only.
        """
        wanted = self.canonical(name)
        info = self._find(wanted, paths)
        if info is None:
            raise ModelNotFoundError(
                f"model {quoted(name or wanted)} not found",
                hint=self._missing_hint(wanted, paths),
                param="model",
            )
        return replace(info, format=layout.check_folder(info.path))

    def _missing_hint(self, wanted: str, paths: bool) -> str:
        known = ", ".join(self.names()) or "none"
        if not paths:  # a client: the list it can ask for, nothing of the server's folders
            return f"GET /v1/models lists the models: {known}"
        bring = pull.missing_hint(wanted) or (
            "put CTranslate2 or Hugging Face Whisper folders under "
            f"{self._settings.models_dir} (stt-engine models import DIR)"
        )
        return f"known models: {known}; {bring}"

    def _find(self, name: str, paths: bool) -> ModelInfo | None:
        if "/" in name or "\\" in name or name.startswith("."):  # a path or a hub repo id
            explicit = Path(name).expanduser()
            if paths and _is_dir(explicit):
                return _folder_info(explicit.name, "path", explicit)
            pulled = pull.pulled_folder(name, self._settings.models_dir)
            return _folder_info(pulled.name, "models_dir", pulled) if pulled else None
        candidate = self._settings.models_dir / name
        if _is_dir(candidate):
            return _folder_info(name, "models_dir", candidate)
        packaged = PACKAGED.get(name)
        if packaged is not None and assemble.is_installed(packaged):
            folder = assemble.packaged_folder(packaged, self._settings.cache_dir)
            return ModelInfo(
                name, "package", folder, layout.folder_size(folder), packaged.languages
            )
        return None

    def names(self) -> list[str]:
        return [info.name for info in self.available()]

    def available(self) -> list[ModelInfo]:
        """Models that can be used now, without assembling split packages."""
        found: dict[str, ModelInfo] = {}
        models_dir = self._settings.models_dir
        if models_dir.is_dir():
            folders = (p for p in models_dir.iterdir() if p.is_dir() and p.name[0] != ".")
            for folder in sorted(folders):
                if layout.folder_format(folder) is not None:
                    found[folder.name] = _folder_info(folder.name, "models_dir", folder)
        for name, packaged in PACKAGED.items():
            if name not in found and assemble.is_installed(packaged):
                location = assemble.package_file(packaged.support_files[0])
                assert location is not None
                found[name] = ModelInfo(
                    name, "package", location.parent, packaged.weights_size, packaged.languages
                )
        return list(found.values())

    def verify(self, name: str) -> list[str]:
        """Checksum problems of a model; empty when everything matches."""
        info = self.resolve(name)
        if (info.path / layout.MANIFEST_NAME).is_file():
            return layout.verify_manifest(info.path)
        packaged = PACKAGED.get(info.name)
        if info.source == "package" and packaged is not None:
            actual = sha256_file(info.path / "model.bin")
            if actual != packaged.weights_sha256:
                return [f"model.bin: sha256 {actual} != {packaged.weights_sha256}"]
            return []
        return [f"{info.path}: no {layout.MANIFEST_NAME} to verify against"]


def _is_dir(path: Path) -> bool:
    """Whether the path is a folder; a name the system cannot take (too long, a NUL) is not."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _folder_info(name: str, source: str, folder: Path) -> ModelInfo:
    size, languages = layout.folder_size(folder), layout.folder_languages(folder)
    model_format = layout.folder_format(folder) or layout.CTRANSLATE2
    return ModelInfo(name, source, folder, size, languages, model_format)
