"""``serve``'s setting flags are made from the Settings fields: same flags, the fields' bounds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import annotated_types
import click
import pytest
from click.testing import CliRunner
from pydantic import Field

from stt_engine.cli.serve import SERVE_SETTINGS, serve
from stt_engine.cli.settings_options import settings_option, settings_options
from stt_engine.config import Settings

# Every flag `serve --help` listed before its setting flags were made from the fields, with
# the kind of value each takes.
FLAGS_BEFORE: dict[str, type[click.ParamType] | tuple[str, ...] | None] = {
    "--host": click.types.StringParamType,
    "--port": click.types.IntParamType,
    "--workers": click.types.IntParamType,
    "--queue-size": click.types.IntParamType,
    "--batch-size": click.types.IntParamType,
    "--batch-wait-ms": click.types.FloatParamType,
    "--owner-max-chunks": click.types.IntParamType,
    "--inference-threads": click.types.IntParamType,
    "--max-upload-mb": click.types.FloatParamType,
    "--max-audio-seconds": click.types.FloatParamType,
    "--timeout-base-seconds": click.types.FloatParamType,
    "--timeout-per-audio-second": click.types.FloatParamType,
    "--api-key": click.types.StringParamType,
    "--api-keys-file": click.Path,
    "--models-dir": click.Path,
    "--default-model": click.types.StringParamType,
    "--backend": ("auto", "ctranslate2", "torch"),
    "--device": ("auto", "cuda", "cpu"),
    "--compute-type": (
        "auto",
        "default",
        "float16",
        "bfloat16",
        "float32",
        "int8",
        "int8_float16",
        "int8_bfloat16",
        "int8_float32",
    ),
    "--model-ttl-seconds": click.types.FloatParamType,
    "--max-loaded-models": click.types.IntParamType,
    "--upload-dir": click.Path,
    "--log-level": click.types.StringParamType,
    "--log-format": ("text", "json"),
    "--drain-seconds": click.types.FloatParamType,
    "--http-header-timeout-seconds": click.types.FloatParamType,
    "--http-body-timeout-seconds": click.types.FloatParamType,
    "--http-body-min-rate": click.types.IntParamType,
    "--ray": None,
    "--ray-address": None,
    "--replicas": None,
    "--max-replicas": None,
    "--gpus-per-replica": None,
    "--cpus-per-replica": None,
    "--help": None,
}


def _options(command: click.Command) -> dict[str, click.Option]:
    return {
        flag: param
        for param in command.get_params(click.Context(command))
        if isinstance(param, click.Option)
        for flag in param.opts
    }


def test_help_lists_every_flag_it_listed_before() -> None:
    result = CliRunner().invoke(serve, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    # an option line starts "  --flag" or, once the group's -h alias applies, "  -h, --help"
    rows = [line.split() for line in result.output.splitlines() if line.startswith("  -")]
    listed = [next(word for word in row if word.startswith("--")).rstrip(",") for row in rows]
    assert listed == list(FLAGS_BEFORE)
    assert [flag for flag in _options(serve) if flag.startswith("--")] == list(FLAGS_BEFORE)


@pytest.mark.parametrize("flag", [f for f, kind in FLAGS_BEFORE.items() if kind is not None])
def test_each_setting_flag_keeps_its_type_or_choices(flag: str) -> None:
    kind, param = FLAGS_BEFORE[flag], _options(serve)[flag]
    if isinstance(kind, tuple):
        assert isinstance(param.type, click.Choice) and tuple(param.type.choices) == kind
    else:
        assert isinstance(kind, type) and isinstance(param.type, kind)
    assert param.multiple is (flag == "--api-key")


def _out_of_bounds() -> list[tuple[str, str, str]]:
    """(field, flag, a value just beyond one of the field's bounds) for every bounded flag."""
    cases = []
    for name in SERVE_SETTINGS:
        field = Settings.model_fields[name]
        step = 1 if field.annotation is int else 0.5
        for bound in field.metadata:
            if isinstance(bound, annotated_types.Ge):
                beyond = bound.ge - step
            elif isinstance(bound, annotated_types.Gt):
                beyond = bound.gt
            elif isinstance(bound, annotated_types.Le):
                beyond = bound.le + step
            else:
                continue
            cases.append((name, "--" + name.replace("_", "-"), str(beyond)))
    return cases


@pytest.mark.parametrize(("name", "flag", "value"), _out_of_bounds())
def test_a_value_beyond_the_fields_bounds_is_refused_by_the_flag(
    name: str, flag: str, value: str
) -> None:
    result = CliRunner().invoke(serve, [flag, value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}'" in result.output  # click's, before any setting loads


def _bounded(name: str) -> bool:
    return any(
        isinstance(m, annotated_types.BaseMetadata) for m in Settings.model_fields[name].metadata
    )


@pytest.mark.parametrize("name", [n for n in SERVE_SETTINGS if _bounded(n)])
def test_the_fields_own_bounds_are_accepted(name: str) -> None:
    field, param = Settings.model_fields[name], _options(serve)["--" + name.replace("_", "-")]
    for bound in field.metadata:
        edge = getattr(bound, "ge", None)
        edge = getattr(bound, "le", edge)
        if edge is not None:
            assert param.type.convert(str(edge), param, None) == edge


def test_a_choice_outside_the_field_is_refused() -> None:
    result = CliRunner().invoke(serve, ["--device", "tpu"])
    assert result.exit_code == 2 and "Invalid value for '--device'" in result.output


def test_help_comes_from_the_field() -> None:
    param = _options(serve)["--port"]
    assert param.help == "HTTP port. [env STT_ENGINE_PORT; default 8003]"
    keys = _options(serve)["--api-key"].help or ""
    assert (
        keys.startswith("Accepted Bearer keys. Repeatable") and "[env STT_ENGINE_API_KEYS]" in keys
    )


class _Probe(Settings):
    """Settings with fields of kinds `serve` has no flag for yet."""

    switch: bool = False
    ratio: float | None = None
    below: int = Field(0, lt=10)
    table: dict[str, int] = Field(default_factory=dict)
    either: int | str = 0


def _command(*names: str, **flags: str) -> click.Command:
    @click.command()
    @settings_options(*names, flags=flags, model=_Probe)
    def probe(**values: Any) -> None:
        click.echo(json.dumps(values, default=str))

    return probe


def _run(command: click.Command, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    values: dict[str, Any] = json.loads(result.output)
    return values


def test_a_bool_field_is_a_flag_pair_and_unset_is_none() -> None:
    probe = _command("switch", "ratio")
    assert _run(probe, "--no-switch") == {"switch": False, "ratio": None}
    assert _run(probe, "--switch", "--ratio", "2") == {"switch": True, "ratio": 2.0}
    assert _run(probe) == {"switch": None, "ratio": None}


def test_a_flag_not_given_leaves_the_setting_to_the_variable_or_default() -> None:
    result = CliRunner().invoke(_command(*SERVE_SETTINGS), [])
    values = json.loads(result.output)
    assert list(values) == list(SERVE_SETTINGS)
    assert all(value in (None, []) for value in values.values())


def test_an_open_upper_bound_refuses_the_bound_itself() -> None:
    probe = _command("below")
    assert _run(probe, "--below", "9") == {"below": 9}
    assert CliRunner().invoke(probe, ["--below", "10"]).exit_code == 2


def test_a_renamed_flag_delivers_under_the_field_name(tmp_path: Path) -> None:
    probe = _command("upload_dir", upload_dir="--uploads")
    assert _run(probe, "--uploads", str(tmp_path)) == {"upload_dir": str(tmp_path)}


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("nope", ValueError, "no setting 'nope' to make a flag of"),
        ("table", TypeError, "setting 'table': no flag for the type"),
        ("either", TypeError, "setting 'either': no flag for the union"),
    ],
)
def test_a_field_without_a_flag_kind_is_refused(
    name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        settings_option(name, model=_Probe)
