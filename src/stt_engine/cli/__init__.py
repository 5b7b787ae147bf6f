"""The ``stt-engine`` command. Subcommands live in their own modules and load on first use."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from stt_engine import __version__

INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE: a bug, not something the user did

# name -> "module:attribute"; each module is imported only when its command runs or is helped.
COMMANDS: dict[str, tuple[str, str]] = {
    "transcribe": ("stt_engine.cli.transcribe:transcribe", "Transcribe audio files."),
    "batch": ("stt_engine.cli.batch:batch", "Transcribe many files, in-process or on Ray."),
    "models": ("stt_engine.cli.models:models", "List, verify, convert and import models."),
    "serve": ("stt_engine.cli.serve:serve", "Run the OpenAI-compatible HTTP server."),
    "check": ("stt_engine.cli.check:check", "Prove a running server transcribes."),
    "listen": ("stt_engine.cli.listen:listen", "Stream a file or the mic to /v1/realtime."),
    "doctor": ("stt_engine.cli.doctor:doctor", "Say whether this server can run the engine."),
    "bundle": ("stt_engine.cli.bundle:bundle", "Build, verify and install offline bundles."),
    "jobs": ("stt_engine.cli.jobs:jobs", "Submit and follow durable transcription jobs."),
    "bench": ("stt_engine.cli.bench:bench", "Measure accuracy, speed and load."),
    "vocab": ("stt_engine.cli.vocab:vocab", "Manage custom vocabularies."),
    "speakers": ("stt_engine.cli.speakers:speakers", "Manage saved voice profiles."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from stt_engine.errors import SttError

        try:
            return super().invoke(ctx)
        except SttError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug: one line, a hint, exit 70 (EX_SOFTWARE)
            _internal_error(ctx, exc)


def _internal_error(ctx: click.Context, exc: Exception) -> None:
    """Report an unexpected exception as one line (the traceback with -vv) and exit 70."""
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("stt_engine").exception("internal error")
    detail = str(exc).splitlines()[0] if str(exc) else ""
    click.secho(
        f"error: internal error: {type(exc).__name__}{': ' + detail if detail else ''}",
        fg="red",
        err=True,
    )
    click.echo(
        f"hint: this is a bug in stt-engine {__version__}; run again with -vv for the "
        "traceback and report it",
        err=True,
    )
    ctx.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stt-engine")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """stt-engine: Whisper speech-to-text for air-gapped GPU servers."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="stt-engine")
