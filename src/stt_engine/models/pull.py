"""``models pull``: fetch a Whisper model from a Hugging Face hub into the models directory.

Meant for the build machine that has internet: the model lands in the models directory (the
one ``serve``, ``transcribe`` and ``bundle build`` read), checked file by file against the
checksums the hub publishes, with a manifest that records where it came from (hub, repository,
revision asked for, commit) and the sha256 of every file. The download runs in a hidden
``.pull-NAME`` folder beside the target and is renamed into place only when complete, so a
failed pull never leaves a half model under a usable name; a pull cut off by the network keeps
the files it finished there, and the next pull of the same model fetches only the rest.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from stt_engine.errors import (
    ModelExistsError,
    ModelHubUnreachableError,
    ModelInvalidError,
)
from stt_engine.models import hub, layout
from stt_engine.models.carry import check_name
from stt_engine.models.catalog import HUB

Report = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PullRequest:
    source: str  # a short name from catalog.HUB or a repository id (owner/name)
    revision: str | None = None  # branch, tag or commit sha; the default branch when None
    convert: bool = False  # turn a Hugging Face checkpoint into a CTranslate2 folder
    quantization: str | None = None  # weight type of the conversion (implies convert)
    name: str | None = None  # folder name in the models directory
    force: bool = False  # replace a model of the same name


@dataclass(frozen=True, slots=True)
class Pulled:
    name: str
    path: Path
    format: str
    origin: dict[str, object]


def repo_id(source: str) -> str:
    """The repository a short name stands for; a repository id as it is."""
    return HUB.get(source, source)


def local_name(source: str) -> str:
    """The models-directory name a pull of ``source`` gets unless --name says otherwise."""
    if source in HUB:
        return source
    by_repo = {repo: short for short, repo in HUB.items()}
    return by_repo.get(source) or source.rstrip("/").rsplit("/", 1)[-1]


def is_pullable(source: str) -> bool:
    """Whether ``source`` names something on a hub: a known short name or an owner/name id."""
    parts = source.split("/")
    return source in HUB or (len(parts) == 2 and all(parts) and not source.startswith("."))


def pull(request: PullRequest, models_dir: Path, report: Report = lambda line: None) -> Pulled:
    """Download, check and install one model; the installed folder."""
    repo = repo_id(request.source)
    name = check_name(request.name or local_name(request.source))
    target = models_dir / name
    if (target.exists() or target.is_symlink()) and not request.force:
        raise ModelExistsError(
            f"a model named '{name}' already exists at {target}",
            hint="pass --force to replace it, or --name to keep both",
        )
    report(f"asking {hub.endpoint()} for {repo} ({request.revision or 'default branch'})")
    snapshot = hub.plan(repo, request.revision)
    _check_conversion(request, snapshot)
    staging = models_dir / f".pull-{name}"
    models_dir.mkdir(parents=True, exist_ok=True)
    try:
        folder = _fetch(snapshot, staging, request, report)
    except (ModelHubUnreachableError, KeyboardInterrupt):
        raise  # keep the finished files: the next pull fetches only the rest
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    origin = _origin(snapshot, request)
    layout.write_manifest(folder, origin)
    _install(folder, target)
    shutil.rmtree(staging, ignore_errors=True)
    report(f"installed {target}")
    return Pulled(name, target, layout.check_folder(target), origin)


def _fetch(snapshot: hub.Snapshot, staging: Path, request: PullRequest, report: Report) -> Path:
    report(f"{snapshot.repo_id}@{snapshot.commit[:12]}: {', '.join(snapshot.files)}")
    hub.download_config(snapshot, staging)
    hub.download(snapshot, staging)
    report("checking every file against the hub's checksums")
    hub.verify(snapshot, staging)
    shutil.rmtree(staging / ".cache", ignore_errors=True)  # the library's download notes
    layout.check_folder(staging)
    if not (request.convert or request.quantization):
        return staging
    from stt_engine.models.convert import convert_to_ctranslate2

    out = staging.with_name(staging.name + ".ct2")
    shutil.rmtree(out, ignore_errors=True)
    try:
        convert_to_ctranslate2(staging, out, request.quantization, report=report)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    shutil.rmtree(staging)
    out.rename(staging)
    return staging


def _check_conversion(request: PullRequest, snapshot: hub.Snapshot) -> None:
    wants = request.convert or request.quantization is not None
    if wants and snapshot.format != layout.TRANSFORMERS:
        raise ModelInvalidError(
            f"{snapshot.repo_id} is already a CTranslate2 model; there is nothing to convert",
            hint="drop --convert/--quantization; pick the weight type when serving "
            "(--compute-type)",
        )


def _origin(snapshot: hub.Snapshot, request: PullRequest) -> dict[str, object]:
    origin: dict[str, object] = {
        "hub": hub.endpoint(),
        "repo_id": snapshot.repo_id,
        "revision": snapshot.revision,
        "commit": snapshot.commit,
        "pulled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": snapshot.format,
    }
    if request.convert or request.quantization:
        origin["converted"] = {"to": layout.CTRANSLATE2, "quantization": request.quantization}
    return origin


def _install(folder: Path, target: Path) -> None:
    """Rename the finished folder into place (replacing an old one only now, when --force)."""
    old = target.with_name(f".{target.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        target.rename(old)
    folder.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def pulled_folder(source: str, models_dir: Path) -> Path | None:
    """The models-directory folder a pull of ``source`` made, if its manifest says so."""
    folder = models_dir / local_name(source)
    try:
        origin = layout.manifest_origin(folder) if folder.is_dir() else None
    except (OSError, ValueError):  # a name the system cannot take is no pulled folder
        return None
    if origin is None or origin.get("repo_id") != repo_id(source):
        return None
    return folder


def missing_hint(name: str) -> str | None:
    """A hint for a model name that a pull would bring, or None."""
    if not is_pullable(name):
        return None
    return (
        f"on a machine with internet: stt-engine models pull {name} "
        "(then bundle build --model ... carries it to an air-gapped server)"
    )
