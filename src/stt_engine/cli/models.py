"""``stt-engine models``: list, pull, verify, convert and import models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from stt_engine.cli.flags import settings_overrides
from stt_engine.cli.settings_options import settings_options
from stt_engine.models.catalog import HUB
from stt_engine.models.convert import QUANTIZATIONS

_PULL_HELP = f"""Download a Whisper model from the Hugging Face hub into the models directory.

SOURCE is a repository id (owner/name) or a short name: {", ".join(HUB)}. Run it on a
machine with internet; HF_ENDPOINT picks a hub mirror, HF_TOKEN opens gated and private
repositories. Then `stt-engine bundle build --model NAME` carries the model to an air-gapped
server.
"""


@click.group()
def models() -> None:
    """List, pull, verify, convert and import models."""


@models.command("list")
@settings_options("models_dir")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_models(models_dir: Path | None, as_json: bool) -> None:
    """Models in the models directory and in installed packages."""
    from stt_engine.config import load_settings
    from stt_engine.engine.kinds import backend_name
    from stt_engine.models import ModelRegistry

    settings = load_settings(**settings_overrides(models_dir=models_dir))
    found = ModelRegistry(settings).available()
    rows = [
        {
            "name": m.name,
            "source": m.source,
            "format": m.format,
            "backend": backend_name(m.format, settings.backend),
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
    click.echo(
        f"{'NAME':<20} {'SOURCE':<11} {'FORMAT':<13} {'BACKEND':<12} {'SIZE':>9}  "
        f"{'LANGUAGES':<13} PATH"
    )
    for r in rows:
        name = f"{r['name']}{' *' if r['default'] else ''}"
        click.echo(
            f"{name:<20} {r['source']:<11} {r['format']:<13} {r['backend']:<12} "
            f"{r['size_mb']:>6} MB  {r['languages']:<13} {r['path']}"
        )
    click.echo(f"(* default; models dir: {settings.models_dir})")


@models.command("verify")
@click.argument("name")
@settings_options("models_dir")
@click.option(
    "--write-manifest",
    is_flag=True,
    help="Record checksums for a folder that has none, then verify against them.",
)
def verify_model(name: str, models_dir: Path | None, write_manifest: bool) -> None:
    """Check a model's files against their recorded sha256 checksums."""
    from stt_engine.config import load_settings
    from stt_engine.errors import ModelInvalidError
    from stt_engine.models import ModelRegistry
    from stt_engine.models.layout import MANIFEST_NAME
    from stt_engine.models.layout import write_manifest as record

    registry = ModelRegistry(load_settings(**settings_overrides(models_dir=models_dir)))
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


@models.command("convert")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--to",
    "target",
    type=click.Choice(["ctranslate2"]),
    default="ctranslate2",
    show_default=True,
    help="Format to write.",
)
@click.option(
    "--quantization",
    type=click.Choice(QUANTIZATIONS),
    default=None,
    help="Weight type of the converted model (default: as stored). float16 or int8_float16 "
    "for GPUs, int8 for CPUs.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
def convert_model(
    source: Path, target: str, quantization: str | None, out: Path, force: bool
) -> None:
    """Convert a Hugging Face Whisper checkpoint SOURCE into a CTranslate2 folder.

    Needs transformers and torch on this machine (pip install 'stt-engine[torch]'); the
    result runs on the CTranslate2 backend anywhere.
    """
    import time

    from stt_engine.models.convert import convert_to_ctranslate2

    started = time.monotonic()

    def report(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:6.1f} s] {line}", err=True)

    convert_to_ctranslate2(source, out, quantization, force=force, report=report)
    click.echo(f"ok: {out} ({target}, {quantization or 'as stored'})")


@models.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Name in the models directory (default: folder name).")
@settings_options("models_dir")
@click.option("--link", is_flag=True, help="Symlink instead of copying (same machine only).")
def import_model(source: Path, name: str | None, models_dir: Path | None, link: bool) -> None:
    """Copy (or link) the model folder SOURCE into the models directory, with checksums."""
    from stt_engine.config import load_settings
    from stt_engine.engine.kinds import backend_name
    from stt_engine.models.carry import import_folder
    from stt_engine.models.layout import check_folder

    settings = load_settings(**settings_overrides(models_dir=models_dir))
    target = import_folder(source, settings.models_dir, name, link=link)
    model_format = check_folder(target)
    click.echo(
        f"ok: {target.name} -> {target} ({model_format}, "
        f"backend {backend_name(model_format, settings.backend)})"
    )


@models.command("pull", help=_PULL_HELP)
@click.argument("source")
@click.option("--revision", default=None, help="Branch, tag or commit sha (default: main).")
@click.option(
    "--convert",
    is_flag=True,
    help="Convert a Hugging Face Whisper checkpoint to CTranslate2 on the way (needs "
    "'stt-engine[torch]' on this machine).",
)
@click.option(
    "--quantization",
    type=click.Choice(QUANTIZATIONS),
    default=None,
    help="Weight type of the conversion (implies --convert): float16 or int8_float16 for GPUs.",
)
@click.option("--name", default=None, help="Name in the models directory.")
@settings_options("models_dir")
@click.option("--force", is_flag=True, help="Replace a model of the same name.")
def pull_model(
    source: str,
    revision: str | None,
    convert: bool,
    quantization: str | None,
    name: str | None,
    models_dir: Path | None,
    force: bool,
) -> None:
    """Download a Whisper model from the Hugging Face hub into the models directory."""
    import time

    from stt_engine.config import load_settings
    from stt_engine.engine.kinds import backend_name
    from stt_engine.models.pull import PullRequest, pull

    settings = load_settings(**settings_overrides(models_dir=models_dir))
    started = time.monotonic()

    def report(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:6.1f} s] {line}", err=True)

    request = PullRequest(source, revision, convert, quantization, name, force)
    pulled = pull(request, settings.models_dir, report)
    click.echo(
        f"ok: {pulled.name} -> {pulled.path} ({pulled.format}, backend "
        f"{backend_name(pulled.format, settings.backend)}; {pulled.origin['repo_id']}@"
        f"{str(pulled.origin['commit'])[:12]})"
    )
