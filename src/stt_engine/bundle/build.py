"""``bundle build``: stage wheels, models and tools, write the manifest, pack, optionally an image.

The bundle is staged in a hidden folder next to the output and removed once packed, so the
archive is the only result (plus the image archive with ``--image``).
"""

from __future__ import annotations

import platform
import shutil
import string
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from stt_engine.bundle import archive, wheelhouse
from stt_engine.bundle import image as images
from stt_engine.bundle.manifest import bundle_files, write_manifest
from stt_engine.bundle.model_copy import add_models
from stt_engine.bundle.progress import ProgressFactory, no_bar
from stt_engine.bundle.target import Target
from stt_engine.bundle.torch_plan import ExtraTorch
from stt_engine.bundle.verdict import TargetVerdict, gpu_builds, judge_target, refuse_unless_forced
from stt_engine.config import Settings
from stt_engine.errors import BundleError

DEPLOY_FILES = ("Containerfile", "entrypoint.sh", "compose.yaml", "stt-engine.service")
# Models are mounted into the container, never copied into the image's build context.
DOCKERIGNORE = "models\n"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    target: Target
    models: tuple[str, ...]
    out_dir: Path
    cache_dir: Path  # downloaded wheels, kept between builds
    project: Path  # the stt-engine source checkout (pyproject.toml, deploy/)
    image: bool = False
    base_image: str = images.DEFAULT_BASE_IMAGE
    engine: str = "auto"  # docker, podman or auto
    torch: str | None = None  # torch release for torch-cuda12 (None: newest CUDA 12 build)
    target_driver: str | None = None  # the server's driver, judged before anything is fetched
    extras: tuple[str, ...] = ()  # optional extras whose wheels go in too (ray, diarize)
    force: bool = False  # build even when the target driver cannot run the flavour


@dataclass
class BuildResult:
    archive: Path
    version: str
    sizes: dict[str, int] = field(default_factory=dict)  # wheels, models, tools, archive
    largest: list[tuple[str, int]] = field(default_factory=list)
    image_archive: Path | None = None
    notes: list[str] = field(default_factory=list)  # e.g. what an extra's torch costs
    verdict: TargetVerdict | None = None  # the target driver's verdict on the flavour


@dataclass
class _Staged:
    version: str = ""
    install: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    torch: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    verdict: TargetVerdict | None = None


def bundle_name(version: str, flavour: str) -> str:
    return f"stt-engine-bundle-{version}-{flavour}"


def build_bundle(
    options: BuildOptions, settings: Settings, progress: ProgressFactory = no_bar
) -> BuildResult:
    options.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".stt-bundle-", dir=options.out_dir) as tmp:
        staging = Path(tmp) / "bundle"
        staged = _Staged()
        _stage_wheels(options, staging / "wheels", Path(tmp), staged, progress)
        staged.models = add_models(options.models, settings, staging / "models")
        _stage_tools(options, staging, staged)
        total = sum(path.stat().st_size for _, path in bundle_files(staging))
        with progress("checksums", total) as advance:
            write_manifest(staging, _meta(options, staged), advance)
        name = bundle_name(staged.version, options.target.flavour)
        result = BuildResult(options.out_dir / (name + archive.SUFFIX), staged.version)
        with progress("packing", total) as advance:
            archive.pack(staging, result.archive, advance)
        result.sizes, result.largest = _sizes(staging, result.archive)
        result.notes = staged.notes
        result.verdict = staged.verdict
        if options.image:
            result.image_archive = _image(options, staging, staged.version, progress)
    return result


@dataclass(frozen=True, slots=True)
class WheelPlan:
    """What the wheelhouse will hold: the resolver's choice for the target."""

    version: str  # stt-engine's own version
    wheels: list[wheelhouse.Wheel]
    install: list[str]  # what install.sh and the Containerfile ask pip for
    torch: dict[str, Any] | None = None  # torch-cuda12: the torch build and its CUDA
    # cpu and cuda12 with an extra that needs torch (diarize): the index's default torch build
    # and the CUDA wheels it brings, which the flavour itself does not use
    extra_torch: ExtraTorch | None = None
    verdict: TargetVerdict | None = None  # the target driver's verdict on the resolved set


def plan_wheels(options: BuildOptions, tmp: Path) -> WheelPlan:
    """Judge the target driver, resolve the wheel set, judge it again on what was resolved.

    A driver below the flavour's CUDA floor is refused before anything is built or resolved;
    the final verdict uses the CUDA of the resolved CTranslate2 (and torch). BundleError when
    the target cannot run the bundle, unless ``options.force``.
    """
    flavour, driver = options.target.flavour, options.target_driver
    refuse_unless_forced(judge_target(flavour, driver), options.force)
    plan = _resolve(options, tmp)
    torch_cuda = plan.torch["cuda"] if plan.torch else None
    versions = {w.name: w.version for w in plan.wheels}
    verdict = judge_target(flavour, driver, gpu_builds(flavour, versions, torch_cuda))
    return replace(plan, verdict=refuse_unless_forced(verdict, options.force))


def _resolve(options: BuildOptions, tmp: Path) -> WheelPlan:
    """Build the project wheel and resolve every dependency (plus CUDA wheels) for the target."""
    own = wheelhouse.build_project_wheel(options.project, tmp / "own")
    version = own.name.split("-")[1]
    if options.target.flavour == "torch-cuda12":
        return _plan_torch(options, own, version)
    wanted = f"[{','.join(options.extras)}]" if options.extras else ""
    requirements = [f"{own}{wanted}"]
    resolved = wheelhouse.resolve(requirements, options.target)
    cuda_names: set[str] = set()
    if options.target.flavour == "cuda12":
        ct2 = next((w for w in resolved if w.name == "ctranslate2"), None)
        if ct2 is None:
            raise BundleError("the resolved wheel set has no ctranslate2")
        cuda = wheelhouse.cuda_requirements(ct2.version)
        cuda_names = {req.split(">=")[0] for req in cuda}
        requirements += [f"ctranslate2=={ct2.version}", *cuda]
        resolved = wheelhouse.resolve(requirements, options.target)
    install = [f"stt-engine{wanted}=={version}"]
    install += [f"{w.name}=={w.version}" for w in resolved if w.name in cuda_names]
    wheels = sorted(resolved, key=lambda w: w.name)
    return WheelPlan(version, wheels, install, extra_torch=_extra_torch(wheels, options))


def _extra_torch(wheels: list[wheelhouse.Wheel], options: BuildOptions) -> ExtraTorch | None:
    from stt_engine.bundle.torch_plan import cuda_wheels, wheel_cuda

    torch = next((w for w in wheels if w.name == "torch"), None)
    if torch is None:
        return None
    found = cuda_wheels(torch, wheels, options.target)
    return ExtraTorch(options.extras, torch, wheel_cuda(torch), found)


def _plan_torch(options: BuildOptions, own: Path, version: str) -> WheelPlan:
    from stt_engine.bundle.torch_plan import plan_torch

    plan = plan_torch(own, options.target, options.torch, options.extras)
    wanted = ",".join(("torch", *options.extras))
    install = [f"stt-engine[{wanted}]=={version}", f"torch=={plan.torch.version}"]
    wheels = sorted(plan.wheels, key=lambda w: w.name)
    return WheelPlan(version, wheels, install, plan.record())


def dry_run(options: BuildOptions) -> tuple[WheelPlan, dict[str, int | None]]:
    """The wheel plan and each wheel's size, without downloading anything."""
    with tempfile.TemporaryDirectory(prefix="stt-bundle-plan-") as tmp:
        plan = plan_wheels(options, Path(tmp))
        return plan, {w.filename: wheelhouse.download_size(w) for w in plan.wheels}


def _stage_wheels(
    options: BuildOptions, wheels: Path, tmp: Path, staged: _Staged, progress: ProgressFactory
) -> None:
    plan = plan_wheels(options, tmp)
    sizes: dict[str, int | None] = {}
    for wheel in plan.wheels:
        placed = wheelhouse.place(wheelhouse.fetch(wheel, options.cache_dir, progress), wheels)
        sizes[wheel.filename] = placed.stat().st_size
    if plan.extra_torch is not None:
        staged.notes.append(plan.extra_torch.note(options.target.flavour, sizes))
    staged.version = plan.version
    staged.versions = {w.name: w.version for w in plan.wheels}
    staged.install = plan.install
    staged.torch = plan.torch
    staged.verdict = plan.verdict


def _stage_tools(options: BuildOptions, staging: Path, staged: _Staged) -> None:
    from stt_engine.doctor.zipapp_build import build_zipapp

    build_zipapp(str(staging / "doctor.pyz"))
    package = resources.files("stt_engine.bundle")
    (staging / "install.sh").write_bytes(package.joinpath("install.sh").read_bytes())
    (staging / "install.sh").chmod(0o755)
    deploy = staging / "deploy"
    deploy.mkdir()
    for name in DEPLOY_FILES:
        source = options.project / "deploy" / name
        if not source.is_file():
            raise BundleError(f"{source} is missing", hint="bundle from a full stt-engine checkout")
        shutil.copy2(source, deploy / name)
    (staging / ".dockerignore").write_text(DOCKERIGNORE, encoding="utf-8")
    template = string.Template(package.joinpath("README.server.md").read_text(encoding="utf-8"))
    (staging / "README.md").write_text(_readme(template, options, staged), encoding="utf-8")


def _readme(template: string.Template, options: BuildOptions, staged: _Staged) -> str:
    name = bundle_name(staged.version, options.target.flavour)
    return template.substitute(
        version=staged.version,
        flavour=options.target.flavour,
        built_at=_now(),
        python=options.target.python,
        platform=options.target.platform,
        models=", ".join(staged.models) or "none (put model folders in the models dir)",
        archive=name + archive.SUFFIX,
        folder=name,
        image_archive=images.image_archive_name(staged.version, options.target.flavour),
        image_tag=images.image_tag(staged.version, options.target.flavour),
        verdict=staged.verdict.line().removeprefix("target: ") if staged.verdict else "none",
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta(options: BuildOptions, staged: _Staged) -> dict[str, Any]:
    return {
        "name": "stt-engine-bundle",
        "version": staged.version,
        "flavour": options.target.flavour,
        "target": options.target.as_dict(),
        "built_at": _now(),
        "built_on": {"python": platform.python_version(), "machine": platform.platform()},
        "install": staged.install,
        "versions": staged.versions,
        "models": staged.models,
        **({"torch": staged.torch} if staged.torch else {}),
        **({"verdict": staged.verdict.record()} if staged.verdict else {}),
    }


def _sizes(staging: Path, packed: Path) -> tuple[dict[str, int], list[tuple[str, int]]]:
    sizes = {"wheels": 0, "models": 0, "tools": 0}
    files: list[tuple[str, int]] = []
    for name, path in bundle_files(staging):
        size = path.stat().st_size
        part = name.split("/", 1)[0]
        sizes[part if part in sizes else "tools"] += size
        files.append((name, size))
    sizes["archive"] = packed.stat().st_size
    return sizes, sorted(files, key=lambda item: -item[1])[:5]


def _image(options: BuildOptions, staging: Path, version: str, progress: ProgressFactory) -> Path:
    engine = images.find_engine(options.engine)
    flavour = options.target.flavour
    spec = images.ImageSpec(
        staging, images.image_tag(version, flavour), flavour, options.base_image
    )
    images.build_image(spec, engine)
    target = options.out_dir / images.image_archive_name(version, flavour)
    with progress("saving image", None) as advance:
        return images.save_image(engine, spec.tag, target, advance)
