"""``stt-engine check --url URL``: prove a deployed server transcribes (exit 1 when it does not)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from stt_engine.check import Step


@click.command()
@click.option("--url", default="http://localhost:8003", show_default=True, help="Server to check.")
@click.option("--api-key", envvar="STT_ENGINE_API_KEY", help="Bearer key [env STT_ENGINE_API_KEY].")
@click.option("--model", default="whisper-1", show_default=True, help="Model to transcribe with.")
@click.option(
    "--max-wer", type=float, default=0.3, show_default=True, help="Highest word error rate."
)
@click.option(
    "--wait", "wait_ready", type=float, default=0.0, help="Seconds to wait for readiness."
)
@click.option(
    "--expect-device", type=click.Choice(["cuda", "cpu"]), help="Fail unless it runs there."
)
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds per call.")
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
def check(
    url: str,
    api_key: str | None,
    model: str,
    max_wer: float,
    wait_ready: float,
    expect_device: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Check liveness, readiness, device, models and a real transcription of a sample clip."""
    from stt_engine.check import CheckOptions, run_check

    options = CheckOptions(
        url=url,
        api_key=api_key,
        model=model,
        max_wer=max_wer,
        timeout=timeout,
        wait_ready=wait_ready,
        expect_device=expect_device,
    )
    steps = run_check(options)
    passed = all(step.ok for step in steps)
    if as_json:
        click.echo(json.dumps({"url": url, "ok": passed, "steps": [asdict(s) for s in steps]}))
    else:
        _print_table(url, steps)
    if not passed:
        raise SystemExit(1)


def _print_table(url: str, steps: list[Step]) -> None:
    colours = {"pass": "green", "fail": "red", "skip": "yellow"}
    click.echo(f"stt-engine check {url}")
    click.echo(f"  {'step':<14} {'result':<6} {'time':>9}  detail")
    for step in steps:
        result = click.style(f"{step.status.upper():<6}", fg=colours[step.status])
        took = "-" if step.status == "skip" else _duration(step.seconds)
        click.echo(f"  {step.name:<14} {result} {took:>9}  {step.detail}")
    failed = [s for s in steps if s.status == "fail"]
    if failed:
        click.secho(f"FAIL: {failed[0].name}: {failed[0].detail}", fg="red", err=True)
    else:
        click.secho(f"PASS: {url} transcribes ({len(steps)} of {len(steps)} checks)", fg="green")


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
