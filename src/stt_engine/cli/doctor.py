"""``stt-engine doctor``: a thin click wrapper around :mod:`stt_engine.doctor`."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report (docs/doctor.md).")
@click.option("--summary", is_flag=True, help="Print one summary line.")
@click.option("--target-driver", metavar="VERSION", help="Judge for a server with this driver.")
@click.option("--target-gpu", metavar="CC", help="With --target-driver: compute capability.")
@click.option("--require", "requires", metavar="SPEC", multiple=True, help="NAME==VERSION.")
@click.option("--deep", is_flag=True, help="Also import torch/ctranslate2 in a child process.")
@click.option("--site-packages", "sites", metavar="DIR", multiple=True, help="Package dirs.")
@click.option("--timeout", metavar="SECONDS", default="5", show_default=True, help="Per probe.")
@click.option("--zipapp", "zipapp_path", metavar="PATH", help="Write the doctor as a zipapp.")
@click.pass_context
def doctor(
    ctx: click.Context,
    as_json: bool,
    summary: bool,
    target_driver: str | None,
    target_gpu: str | None,
    requires: tuple[str, ...],
    deep: bool,
    sites: tuple[str, ...],
    timeout: str,
    zipapp_path: str | None,
) -> None:
    """Say whether this server (or one with --target-driver) can run the engine on its GPU.

    Exits 0 when nothing fails, 1 when something does and 2 on a malformed option.
    """
    from stt_engine.doctor.__main__ import run

    # Every value goes to the doctor as typed (as --name=value, so a value starting with "-"
    # stays a value): its argparse front end checks them all and exits 2 on a malformed one.
    argv = ["--timeout=" + timeout]
    argv += ["--json"] if as_json else []
    argv += ["--summary"] if summary else []
    argv += ["--deep"] if deep else []
    for name, value in (
        ("--target-driver", target_driver),
        ("--target-gpu", target_gpu),
        ("--zipapp", zipapp_path),
    ):
        argv += [name + "=" + value] if value is not None else []
    argv += ["--require=" + spec for spec in requires]
    argv += ["--site-packages=" + site for site in sites]
    ctx.exit(run(argv))
