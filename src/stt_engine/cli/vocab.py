"""``stt-engine vocab list|add|check``: named custom vocabularies in the data folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from stt_engine.cli.flags import settings_overrides
from stt_engine.cli.settings_options import settings_options

if TYPE_CHECKING:
    from stt_engine.text.vocabulary import VocabularyStore

F = TypeVar("F", bound=Callable[..., Any])


def _store(data_dir: Path | None, models_dir: Path | None) -> VocabularyStore:
    from stt_engine.config import load_settings
    from stt_engine.text.vocabulary import VocabularyStore

    settings = load_settings(**settings_overrides(data_dir=data_dir, models_dir=models_dir))
    return VocabularyStore(settings.data_dir, settings.models_dir)


def _dirs(command: F) -> F:
    return settings_options("data_dir", "models_dir")(command)


@click.group()
def vocab() -> None:
    """Manage custom vocabularies (terms that guide decoding, fixes applied after it)."""


@vocab.command("list")
@_dirs
def list_vocabularies(data_dir: Path | None, models_dir: Path | None) -> None:
    """The vocabularies in the data and models folders."""
    store = _store(data_dir, models_dir)
    names = store.names()
    if not names:
        click.echo(
            f"no vocabularies (add one with: stt-engine vocab add NAME TERM...) in {store.writable}"
        )
    for name in names:
        found = store.load(name)
        click.echo(
            f"{name:<24} {len(found.terms):>4} terms {len(found.replacements):>4} replacements"
        )


@vocab.command("add")
@click.argument("name")
@click.argument("terms", nargs=-1)
@click.option(
    "--replace", "fixes", multiple=True, metavar="WRONG=RIGHT", help="A known misrecognition."
)
@click.option("--file", "source", type=click.File(encoding="utf-8"), help="A vocabulary JSON file.")
@_dirs
def add(
    name: str,
    terms: tuple[str, ...],
    fixes: tuple[str, ...],
    source: IO[str] | None,
    data_dir: Path | None,
    models_dir: Path | None,
) -> None:
    """Add terms and replacements to a vocabulary (created when new)."""
    from stt_engine.errors import NotFoundError
    from stt_engine.text.vocabulary import Vocabulary

    store = _store(data_dir, models_dir)
    try:
        current = store.load(name)
    except NotFoundError:
        current = Vocabulary(name)
    incoming: dict[str, Any] = json.load(source) if source is not None else {}
    merged = Vocabulary.from_json(
        name,
        {
            "terms": [*current.terms, *incoming.get("terms", []), *terms],
            "replacements": {
                **current.replacements,
                **_pairs(fixes),
                **incoming.get("replacements", {}),
            },
            "pronunciations": incoming.get("pronunciations", {}),
        },
    )
    path = store.save(merged)
    click.echo(
        f"{name}: {len(merged.terms)} terms, {len(merged.replacements)} replacements ({path})"
    )


def _pairs(fixes: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for fix in fixes:
        wrong, sep, right = fix.partition("=")
        if not sep or not wrong.strip() or not right.strip():
            raise click.BadParameter(f"'{fix}': use WRONG=RIGHT", param_hint="--replace")
        pairs[wrong.strip()] = right.strip()
    return pairs


@vocab.command("check")
@click.argument("name")
@click.argument("text", required=False)
@_dirs
def check(name: str, text: str | None, data_dir: Path | None, models_dir: Path | None) -> None:
    """Check a vocabulary loads; with TEXT, show what its replacements make of it."""
    from stt_engine.text.postprocess import PostProcess, postprocess

    found = _store(data_dir, models_dir).load(name)
    click.echo(f"{name}: ok, {len(found.terms)} terms, {len(found.replacements)} replacements")
    click.echo(f"hotwords: {found.hotwords()}")
    if text is not None:
        click.echo(postprocess(text, PostProcess(vocabulary=found)))
