"""docs/settings.md, written from the Settings groups: every variable, its default, its accepted
values, its ``serve`` flag and its meaning.

``python -m stt_engine.cli.settings_reference > docs/settings.md`` (``scripts/settings-reference``)
rewrites it; a test fails while the file and the fields disagree.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import annotated_types
import click
from pydantic.fields import FieldInfo

from stt_engine.cli.settings_options import shown_default
from stt_engine.config import Settings

HEADER = """# Settings

<!-- Written by scripts/settings-reference from src/stt_engine/config.py; do not edit. -->

Every setting is an `STT_ENGINE_*` environment variable; those of the server are also
`stt-engine serve` flags, and a flag wins over the variable. An install made by a bundle's
`install.sh` also reads `STT_ENGINE_*=value` lines from `stt-engine.env` beside its venv; a
variable wins over that file ([deploy.md](deploy.md)). A list (`API_KEYS`,
`WEBHOOK_ALLOW_HOSTS`) is comma-separated.
"""

_BOUNDS = (
    (annotated_types.Ge, "ge", ">="),
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Le, "le", "<="),
    (annotated_types.Lt, "lt", "<"),
)


def render() -> str:
    """The whole page: one section per group, one table row per setting."""
    flags = serve_flags()
    parts = [HEADER]
    for group, names in Settings.groups().items():
        parts.append(f"\n## {group}\n\n{_group_doc(group)}\n\n")
        parts.append("| variable | default | values | `serve` flag | meaning |\n")
        parts.append("| --- | --- | --- | --- | --- |\n")
        parts.extend(_row(name, Settings.model_fields[name], flags.get(name)) for name in names)
    return "".join(parts)


def serve_flags() -> dict[str, str]:
    """Field name -> the ``serve`` flag that sets it."""
    from stt_engine.cli.serve import SERVE_SETTINGS, serve

    params = serve.get_params(click.Context(serve))
    return {p.name: p.opts[0] for p in params if p.name in SERVE_SETTINGS and p.name is not None}


def _group_doc(group: str) -> str:
    for base in Settings.__mro__:
        if vars(base).get("group") == group:
            return (base.__doc__ or "").strip()
    raise ValueError(f"no settings group {group!r}")


def _row(name: str, field: FieldInfo, flag: str | None) -> str:
    cells = (
        f"`{Settings.env_name(name)}`",
        _default(field),
        _values(field),
        f"`{flag}`" if flag else "",
        (field.description or "").replace("|", "\\|"),
    )
    return "| " + " | ".join(cells) + " |\n"


def _default(field: FieldInfo) -> str:
    shown = shown_default(field)
    if shown is not None:
        return f"`{shown}`"
    return "see meaning" if field.default_factory not in (None, list) else "none"


def _values(field: FieldInfo) -> str:
    kind: Any = field.annotation
    if get_origin(kind) is Literal:
        return ", ".join(f"`{choice}`" for choice in get_args(kind))
    bounds = [
        f"{sign} {getattr(bound, attribute)}"
        for bound in field.metadata
        for cls, attribute, sign in _BOUNDS
        if isinstance(bound, cls)
    ]
    return ", ".join(bounds)


if __name__ == "__main__":
    click.echo(render(), nl=False)
