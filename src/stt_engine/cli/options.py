"""Click options shared by several subcommands, and those made from stt_engine.options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from stt_engine.formats import FORMAT_NAMES
from stt_engine.options import BY_NAME, Option, Surface, on

F = TypeVar("F", bound=Callable[..., Any])

DEVICES = click.Choice(["auto", "cuda", "cpu"])
BACKENDS = click.Choice(["auto", "ctranslate2", "torch"])
COMPUTE_TYPES = click.Choice(
    ["auto", "default", "float16", "bfloat16", "float32", "int8", "int8_float16", "int8_float32"]
)


def engine_options(func: F) -> F:
    """--model, --backend, --device, --compute-type, --models-dir."""
    func = click.option(
        "--models-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of model folders (CTranslate2 or Hugging Face Whisper).",
    )(func)
    func = click.option(
        "--backend",
        type=BACKENDS,
        default=None,
        help="auto: the model folder's format picks (ctranslate2 or torch).",
    )(func)
    func = click.option(
        "--compute-type",
        type=COMPUTE_TYPES,
        default=None,
        help="auto: float16 on GPU; int8 (ctranslate2) or float32 (torch) on CPU.",
    )(func)
    func = click.option(
        "--device", type=DEVICES, default=None, help="auto picks CUDA when usable."
    )(func)
    func = click.option(
        "--model",
        "-m",
        default=None,
        help="Model name, alias or folder (default: the embedded base).",
    )(func)
    return func


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
    (with the table's ``batch_size`` as the engine's), and the table's option values."""
    overrides = settings_overrides(**{name: kw.pop(name) for name in _ENGINE_FLAGS})
    values = table_values(kw, "cli")
    if values.get("batch_size"):
        overrides["batch_size"] = values["batch_size"]
    return overrides, values


_ENGINE_FLAGS = ("device", "backend", "compute_type", "models_dir")


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
        return click.IntRange(_int(low), _int(high), min_open=open_low)
    if option.kind is float and (low is not None or high is not None):
        return click.FloatRange(low, high, min_open=open_low)
    return option.kind


def _int(bound: float | None) -> int | None:
    return None if bound is None else int(bound)


def table_values(kw: dict[str, Any], surface: Surface) -> dict[str, object]:
    """Take the table's values out of a command's keyword arguments, checked and cleaned."""
    return {o.name: o.settle(kw.pop(o.name)) for o in on(surface)}


def form_fields(values: Mapping[str, object]) -> dict[str, str]:
    """The values that differ from their defaults, as the server's form fields."""
    fields: dict[str, str] = {}
    for name, value in values.items():
        option = BY_NAME[name]
        if value is None or value == option.default:
            continue
        fields[option.public] = str(value).lower() if option.kind is bool else str(value)
    return fields
