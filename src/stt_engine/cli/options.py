"""Click options shared by several subcommands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEVICES = click.Choice(["auto", "cuda", "cpu"])
COMPUTE_TYPES = click.Choice(
    ["auto", "default", "float16", "bfloat16", "float32", "int8", "int8_float16", "int8_float32"]
)


def engine_options(func: F) -> F:
    """--model, --device, --compute-type, --models-dir."""
    func = click.option(
        "--models-dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Folder of CTranslate2 Whisper models.",
    )(func)
    func = click.option(
        "--compute-type",
        type=COMPUTE_TYPES,
        default=None,
        help="auto: float16 on GPU, int8 on CPU.",
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


def settings_overrides(**values: Any) -> dict[str, Any]:
    """Settings keyword arguments for the options the user actually gave."""
    return {k: v for k, v in values.items() if v is not None}
