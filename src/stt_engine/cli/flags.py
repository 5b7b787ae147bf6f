"""Click options shared by several subcommands, and those made from stt_engine.options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from stt_engine.cli.settings_options import settings_options
from stt_engine.formats import FORMAT_NAMES
from stt_engine.options import BY_NAME, Option, Surface, on

F = TypeVar("F", bound=Callable[..., Any])

_ENGINE_SETTINGS = ("device", "compute_type", "backend", "models_dir")


def engine_options(func: F) -> F:
    """--model, and --device, --compute-type, --backend, --models-dir made from the settings
    (their choices, such as every compute type, are the settings' own)."""
    func = settings_options(*_ENGINE_SETTINGS)(func)
    return click.option(
        "--model",
        "-m",
        default=None,
        help="Model name, alias or folder (default: the embedded base).",
    )(func)


formats_option = click.option(
    "--format",
    "-f",
    "formats",
    type=click.Choice(FORMAT_NAMES),
    multiple=True,
    help="Output format; repeat for several (default: text).",
)


def settings_overrides(**values: Any) -> dict[str, Any]:
    """Settings keyword arguments for the options the user actually gave."""
    return {k: v for k, v in values.items() if v is not None}


def engine_and_table_values(kw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, object]]:
    """Pop the ``engine_options`` from a command's arguments: the Settings overrides they give
    (with the table's options that set an engine setting, such as ``--batch-size``), and the
    table's option values."""
    overrides = settings_overrides(**{name: kw.pop(name) for name in _ENGINE_SETTINGS})
    values = table_values(kw, "cli")
    for option in on("cli"):
        if option.setting and values.get(option.name) != option.default:
            overrides[option.setting] = values[option.name]
    return overrides, values


def table_options(surface: Surface) -> Callable[[F], F]:
    """The click options of one command, made from stt_engine.options in table order.

    ``cli`` gives transcribe's, ``submit`` those of jobs submit; each value arrives under the
    option's name (``vad_filter`` for ``--no-vad``).
    """

    def decorate(func: F) -> F:
        for option in reversed(on(surface)):
            func = _click_option(option)(func)
        return func

    return decorate


def _click_option(option: Option) -> Callable[[F], F]:
    declarations = [option.cli_flag, *([option.short] if option.short else []), option.name]
    if option.kind is bool and not option.default:
        return click.option(*declarations, is_flag=True, default=False, help=option.help)
    return click.option(
        *declarations,
        type=_click_type(option),
        default=option.default,
        show_default=option.default is not None,
        help=option.help,
    )


def _click_type(option: Option) -> click.ParamType | type:
    if option.choices:
        return click.Choice(option.choices)
    low, high, open_low = option.minimum, option.maximum, option.above
    if option.kind is int and (low is not None or high is not None):
        return click.IntRange(_int(low), _int(high), min_open=open_low, max_open=option.below)
    if option.kind is float and (low is not None or high is not None):
        return click.FloatRange(low, high, min_open=open_low, max_open=option.below)
    return option.kind


def _int(bound: float | None) -> int | None:
    return None if bound is None else int(bound)


def table_values(kw: dict[str, Any], surface: Surface) -> dict[str, object]:
    """Take the table's values out of a command's keyword arguments, checked and cleaned;
    those ``jobs submit`` sends are checked as the server checks them."""
    values = {o.name: o.settle(kw.pop(o.name)) for o in on(surface)}
    if surface == "submit":
        for name, value in values.items():
            BY_NAME[name].for_server(value)
    return values


def form_fields(values: Mapping[str, object]) -> dict[str, str]:
    """The values that differ from their defaults, as the server's form fields."""
    fields: dict[str, str] = {}
    for name, value in values.items():
        option = BY_NAME[name]
        if value is None or value == option.default:
            continue
        fields[option.public] = str(value).lower() if option.kind is bool else str(value)
    return fields
