"""``stt-engine doctor``: a thin click wrapper around :mod:`stt_engine.doctor`."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report (docs/doctor.md).")
@click.option("--summary", is_flag=True, help="Print one summary line.")
@click.option("--target-driver", metavar="VERSION", help="Judge for a server with this driver.")
@click.option("--target-gpu", metavar="CC", help="With --target-driver: compute capability.")
@click.option("--require", "requires", metavar="SPEC", multiple=True, help="Planned package.")
@click.option("--deep", is_flag=True, help="Also import torch/ctranslate2 in a child process.")
@click.option("--site-packages", "sites", metavar="DIR", multiple=True, help="Package dirs.")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per probe.")
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
    timeout: float,
    zipapp_path: str | None,
) -> None:
    """Say whether this server (or one with --target-driver) can run the engine on its GPU.

    Exits 0 when nothing fails and 1 when something does.
    """
    from stt_engine.doctor.__main__ import run

    argv = ["--timeout", str(timeout)]
    argv += ["--json"] if as_json else []
    argv += ["--summary"] if summary else []
    argv += ["--deep"] if deep else []
    argv += ["--target-driver", target_driver] if target_driver else []
    argv += ["--target-gpu", target_gpu] if target_gpu else []
    argv += ["--zipapp", zipapp_path] if zipapp_path else []
    for spec in requires:
        argv += ["--require", spec]
    for site in sites:
        argv += ["--site-packages", site]
    ctx.exit(run(argv))
