"""Click options made from Settings fields: name, type, bounds, choices and help from the field.

``settings_options("host", "port")`` gives ``--host`` and ``--port``. A flag that is not given
arrives as None (``()`` for a list), so the STT_ENGINE_* variables and the defaults still apply:
pass only the given values to ``load_settings``.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import annotated_types
import click
from pydantic.fields import FieldInfo

from stt_engine.config import Settings

F = TypeVar("F", bound=Callable[..., Any])


def settings_options(
    *names: str, flags: Mapping[str, str] | None = None, model: type[Settings] = Settings
) -> Callable[[F], F]:
    """The click options of the named fields, in that order; ``flags`` renames a flag
    (``{"api_keys": "--api-key"}``), else it is the field's name with dashes."""

    def decorate(func: F) -> F:
        for name in reversed(names):
            func = settings_option(name, (flags or {}).get(name), model)(func)
        return func

    return decorate


def settings_option(
    name: str, flag: str | None = None, model: type[Settings] = Settings
) -> Callable[[F], F]:
    """One field's click option; its value arrives under the field's name."""
    field = model.model_fields.get(name)
    if field is None:
        raise ValueError(f"no setting {name!r} to make a flag of")
    flag = flag or "--" + name.replace("_", "-")
    kind, many = _kind(name, field.annotation)
    help_text = _help(model, name, field, many)
    if kind is bool:
        no_flag = "--no-" + flag.removeprefix("--")
        return click.option(f"{flag}/{no_flag}", name, default=None, help=help_text)
    return click.option(
        flag, name, type=_click_type(name, kind, field.metadata), multiple=many, help=help_text
    )


def _kind(name: str, annotation: Any) -> tuple[Any, bool]:
    """The flag's value type (``X | None`` as X) and whether it repeats (``list[X]``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        present = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(present) != 1:
            raise TypeError(f"setting {name!r}: no flag for the union {annotation!r}")
        annotation = present[0]
    if get_origin(annotation) is list:
        return get_args(annotation)[0], True
    return annotation, False


def _click_type(name: str, kind: Any, metadata: list[Any]) -> click.ParamType:
    if get_origin(kind) is Literal:
        return click.Choice([str(choice) for choice in get_args(kind)])
    if kind is Path:
        return click.Path(path_type=Path)
    if kind is str:
        return click.STRING
    if kind is int or kind is float:
        return _number(kind, metadata)
    raise TypeError(f"setting {name!r}: no flag for the type {kind!r}")


def _number(kind: type, metadata: list[Any]) -> click.ParamType:
    """INT or FLOAT, as a range where the field has bounds (``gt`` as an open minimum)."""
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for bound in metadata:
        if isinstance(bound, annotated_types.Ge):
            low = bound.ge
        elif isinstance(bound, annotated_types.Gt):
            low, low_open = bound.gt, True
        elif isinstance(bound, annotated_types.Le):
            high = bound.le
        elif isinstance(bound, annotated_types.Lt):
            high, high_open = bound.lt, True
    if low is None and high is None:
        return click.INT if kind is int else click.FLOAT
    if kind is int:
        return click.IntRange(low, high, min_open=low_open, max_open=high_open)
    return click.FloatRange(low, high, min_open=low_open, max_open=high_open)


def _help(model: type[Settings], name: str, field: FieldInfo, many: bool) -> str:
    """The field's description, then where else it is set and its default."""
    where = [f"env {model.env_name(name)}"]
    default = shown_default(field)
    if default is not None:
        where.append(f"default {default}")
    repeat = " Repeatable; the variable takes a comma-separated list." if many else ""
    return f"{field.description or ''}{repeat} [{'; '.join(where)}]"


def shown_default(field: FieldInfo) -> str | None:
    """A field's fixed default as a user writes it (``8003``, ``14400``, ``false``); None for
    none, an empty string or one computed when the settings load."""
    value = field.default
    if field.default_factory is not None or value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
