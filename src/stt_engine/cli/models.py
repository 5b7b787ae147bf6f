"""``stt-engine models``: what models are available, and whether their files are intact."""

from __future__ import annotations

import json

import click

from stt_engine.cli.options import settings_overrides


@click.group()
def models() -> None:
    """List and verify models."""


@models.command("list")
@click.option("--models-dir", type=click.Path(file_okay=False), default=None)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_models(models_dir: str | None, as_json: bool) -> None:
    """Models in the models directory and in installed packages."""
    from stt_engine.config import Settings
    from stt_engine.models import ModelRegistry

    settings = Settings(**settings_overrides(models_dir=models_dir))
    found = ModelRegistry(settings).available()
    rows = [
        {
            "name": m.name,
            "source": m.source,
            "size_mb": round(m.size / 1e6, 1),
            "languages": m.languages,
            "path": str(m.path),
            "default": m.name == settings.default_model,
        }
        for m in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(
            f"no models found (models dir: {settings.models_dir}); "
            "install one with: pip install 'stt-engine[models]'"
        )
        return
    click.echo(f"{'NAME':<16} {'SOURCE':<11} {'SIZE':>9}  {'LANGUAGES':<13} PATH")
    for r in rows:
        name = f"{r['name']}{' *' if r['default'] else ''}"
        click.echo(
            f"{name:<16} {r['source']:<11} {r['size_mb']:>6} MB  {r['languages']:<13} {r['path']}"
        )
    click.echo(f"(* default; models dir: {settings.models_dir})")


@models.command("verify")
@click.argument("name")
@click.option("--models-dir", type=click.Path(file_okay=False), default=None)
@click.option(
    "--write-manifest",
    is_flag=True,
    help="Record checksums for a folder that has none, then verify against them.",
)
def verify_model(name: str, models_dir: str | None, write_manifest: bool) -> None:
    """Check a model's files against their recorded sha256 checksums."""
    from stt_engine.config import Settings
    from stt_engine.errors import ModelInvalidError
    from stt_engine.models import ModelRegistry
    from stt_engine.models.layout import MANIFEST_NAME
    from stt_engine.models.layout import write_manifest as record

    registry = ModelRegistry(Settings(**settings_overrides(models_dir=models_dir)))
    info = registry.resolve(name)
    if write_manifest and not (info.path / MANIFEST_NAME).is_file():
        click.echo(f"recorded {record(info.path)}")
    problems = registry.verify(name)
    if problems:
        raise ModelInvalidError(
            f"model '{info.name}' at {info.path} failed verification: " + "; ".join(problems),
            hint="re-copy the model folder, or use --write-manifest once on a trusted copy",
        )
    click.echo(f"ok: {info.name} ({info.source}, {info.path})")
