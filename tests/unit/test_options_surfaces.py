"""Every option reaches the same bounds on every surface the table lists for it.

One parametrised test over the table: for each option with bounds, choices or a check, values
at and past each bound are sent through each of its surfaces, the real way: the form to the
real app (no file, so nothing is decoded: a refused field answers 400 naming it, an accepted
one 400 naming ``file``), the CLI through click (``transcribe`` and ``batch`` on an empty
folder, ``jobs submit`` to a closed port, ``bench accuracy`` on a missing manifest), job JSON
through ``options_from_json``, realtime fields through ``session.update`` in both dialects.
Each surface must agree with the table's own verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from stt_engine import options
from stt_engine.cli import cli
from stt_engine.config import Settings
from stt_engine.engine.contract import DecodeOptions
from stt_engine.errors import InvalidRequestError
from stt_engine.jobs.record import options_from_json
from stt_engine.options import OPTIONS, Option, TranscribeOptions
from stt_engine.realtime.events import EventError, SessionConfig, apply_beta, apply_ga
from stt_engine.server import create_app

_CHECKED = {"language": ["Korean", "ko", "xx"], "redact": ["phone", "ssn"],
            "vocabulary": ["calls-2026", "../x"]}  # fmt: skip
_SERVER_SURFACES = frozenset({"form", "jobs", "submit"})


def _probes(option: Option) -> list[object]:
    if option.name in _CHECKED:
        return list(_CHECKED[option.name])
    if option.choices:
        return [option.choices[0], option.choices[-1], "nope"]
    step = 1 if option.kind is int else 0.5
    values: list[object] = []
    if option.minimum is not None:
        values += [option.kind(option.minimum), option.kind(option.minimum - step)]
    if option.maximum is not None:
        values += [option.kind(option.maximum), option.kind(option.maximum + step)]
    return values


def _table_says(option: Option, value: object, surface: str) -> bool:
    try:
        option.settle(value)
        if surface in _SERVER_SURFACES:
            option.for_server(value)
    except InvalidRequestError:
        return False
    return True


CASES = [
    pytest.param(option, surface, value, id=f"{option.name}-{surface}-{value}")
    for option in OPTIONS
    for surface in sorted(option.surfaces)
    for value in _probes(option)
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("app")
    settings = Settings(models_dir=folder / "models", data_dir=folder / "data")
    app = create_app(settings)
    app.state.stt.readiness.set(True, "ready")  # no model is needed: nothing is decoded
    yield TestClient(app)


def _text(value: object) -> str:
    return str(value)


def _by_form(client: TestClient, option: Option, value: object) -> bool:
    form = {option.public: (None, _text(value))}  # multipart, without a file
    answer = client.post("/v1/audio/transcriptions", files=form)
    assert answer.status_code == 400, answer.text
    param = answer.json()["error"]["param"]
    assert param in (option.public, "file"), answer.text
    return bool(param == "file")


def _by_jobs_form(option: Option, value: object) -> bool:
    """The /v1/jobs route's own reading of its fields (it needs a job store to answer)."""
    try:
        options.from_form({option.public: _text(value)}.get, "jobs")
    except InvalidRequestError:
        return False
    return True


def _by_click(args: list[str], option: Option) -> bool:
    """Whether a command took the value: it may fail later (no files, no server, no manifest),
    but not naming the option."""
    result = CliRunner().invoke(cli, args)
    flag = option.cli_flag.split("/")[0]
    return result.exit_code == 0 or (
        flag not in result.output and option.public not in result.output
    )


def _by_json(option: Option, value: object) -> bool:
    stored = [value] if option.name == "temperature" else value  # the ladder is a list
    try:
        options_from_json(json.dumps({option.name: stored}))
    except InvalidRequestError:
        return False
    return True


def _by_session(option: Option, value: object) -> bool:
    verdicts = set()
    fields_ = {option.public: value}
    ga = {"type": "transcription", "audio": {"input": {"transcription": fields_}}}
    beta = {"input_audio_transcription": fields_}
    apply: list[tuple[Callable[..., SessionConfig], object]] = [(apply_ga, ga), (apply_beta, beta)]
    for update, session in apply:
        try:
            update(SessionConfig(), session, 30.0)
            verdicts.add(True)
        except EventError as exc:
            assert exc.param is not None and exc.param.endswith(option.public)
            verdicts.add(False)
    assert len(verdicts) == 1, "the two dialects agree"
    return verdicts.pop()


def _takes(surface: str, option: Option, value: object, client: TestClient, tmp: Path) -> bool:
    """Whether a surface takes an option's value, asked the real way."""
    words = [option.cli_flag.split("/")[0], _text(value)]
    empty, audio = tmp / "empty", tmp / "a.wav"
    empty.mkdir()
    audio.write_bytes(b"RIFF")
    submit = ["jobs", "--url", "http://127.0.0.1:9", "submit", str(audio), *words]
    bench = ["bench", "accuracy", *words, "--manifest", str(tmp / "none.jsonl")]
    batch = ["batch", str(empty), "--out", str(tmp / "out"), *words]
    if surface == "form":
        return _by_form(client, option, value)
    if surface == "jobs":
        return _by_jobs_form(option, value)
    if surface == "cli":
        taken = _by_click(["transcribe", str(empty), *words], option)
        assert _by_click(batch, option) is taken, "transcribe and batch agree"
        return taken
    if surface in ("submit", "bench"):
        return _by_click(submit if surface == "submit" else bench, option)
    if surface == "json":
        return _by_json(option, value)
    assert surface == "realtime"
    return _by_session(option, value)


@pytest.mark.parametrize(("option", "surface", "value"), CASES)
def test_every_surface_keeps_the_table_bounds(
    option: Option, surface: str, value: object, client: TestClient, tmp_path: Path
) -> None:
    if option.kind is bool and surface in ("cli", "submit", "bench"):
        pytest.skip("a flag has no bounds")
    assert _takes(surface, option, value, client, tmp_path) is _table_says(option, value, surface)


def test_vad_threshold_of_one_is_refused_everywhere(client: TestClient, tmp_path: Path) -> None:
    option = options.BY_NAME["vad_threshold"]
    assert not _by_form(client, option, 1.0) and _by_form(client, option, 0.99)
    assert not _by_json(option, 1.0)
    assert not _by_click(["transcribe", str(tmp_path), "--vad-threshold", "1.0"], option)
    with pytest.raises(InvalidRequestError, match="above 0 and below 1"):
        TranscribeOptions(vad_threshold=1.0)


def test_batch_size_is_refused_where_the_server_decides(client: TestClient) -> None:
    answer = client.post("/v1/audio/transcriptions", files={"batch_size": (None, "8")})
    error = answer.json()["error"]
    assert answer.status_code == 400 and error["param"] == "batch_size"
    assert "server's batch_size setting" in error["message"]
    zero = client.post("/v1/audio/transcriptions", files={"batch_size": (None, "0")})
    assert zero.json()["error"]["param"] == "file"  # the default is taken


def test_batch_size_sets_the_engine_on_the_cli() -> None:
    from stt_engine.cli.flags import engine_and_table_values

    kw: dict[str, object] = {o.name: o.default for o in options.on("cli")}
    kw.update(device=None, compute_type=None, backend=None, models_dir=None, batch_size=8)
    overrides, values = engine_and_table_values(kw)
    assert overrides == {"batch_size": 8} and values["batch_size"] == 8


def test_every_compute_type_setting_is_a_flag_choice() -> None:
    from typing import get_args

    from stt_engine.settings_groups import ComputeType

    wanted = set(get_args(ComputeType))
    assert "int8_bfloat16" in wanted
    context = click.Context(cli)
    bench = cli.get_command(context, "bench")
    assert isinstance(bench, click.Group)
    commands = [cli.get_command(context, name) for name in ("transcribe", "batch", "serve")]
    for command in [*commands, bench.get_command(context, "accuracy")]:
        assert command is not None
        param = next(p for p in command.params if p.name == "compute_type")
        assert isinstance(param.type, click.Choice)
        assert set(param.type.choices) == wanted, command.name
    result = CliRunner().invoke(cli, ["transcribe", ".", "--compute-type", "int8_bfloat16"])
    assert "compute-type" not in result.output


def test_decode_options_are_the_request_options_of_the_same_names() -> None:
    request = {f.name for f in fields(TranscribeOptions)}
    assert {f.name for f in fields(DecodeOptions)} <= request
    chosen = TranscribeOptions(beam_size=3, hotwords="Claude", task="translate")
    decode = DecodeOptions.for_request(chosen, "ko", 1)
    assert (decode.beam_size, decode.hotwords, decode.task) == (3, "Claude", "translate")
    assert (decode.language, decode.temperature) == ("ko", chosen.temperature[1])
