"""``stt-engine serve``: the OpenAI-compatible HTTP server (port 8003 by default).

Every option is also a ``STT_ENGINE_*`` environment variable; a flag given on the command line
wins over the environment.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

import click

from stt_engine.cli.settings_options import settings_options

# The settings `serve` takes as flags, in --help order: `--` and the field name with dashes,
# or the name in _RENAMED.
SERVE_SETTINGS = (
    "host",
    "port",
    "workers",
    "queue_size",
    "batch_size",
    "batch_wait_ms",
    "owner_max_chunks",
    "inference_threads",
    "max_upload_mb",
    "max_audio_seconds",
    "timeout_base_seconds",
    "timeout_per_audio_second",
    "api_keys",
    "api_keys_file",
    "models_dir",
    "default_model",
    "backend",
    "device",
    "compute_type",
    "model_ttl_seconds",
    "max_loaded_models",
    "upload_dir",
    "log_level",
    "log_format",
    "drain_seconds",
    "http_header_timeout_seconds",
    "http_body_timeout_seconds",
    "http_body_min_rate",
)
_RENAMED = {"api_keys": "--api-key"}


@click.command()
@settings_options(*SERVE_SETTINGS, flags=_RENAMED)
@click.option("--ray", "on_ray", is_flag=True, help="Serve on Ray Serve (the ray extra).")
@click.option("--ray-address", help="Ray cluster to join with --ray (default: auto, else local).")
@click.option("--replicas", type=click.IntRange(1), default=1, help="Ray Serve replicas.")
@click.option("--max-replicas", type=click.IntRange(0), default=0, help="Autoscale up to this.")
@click.option("--gpus-per-replica", type=click.FloatRange(0), default=0.0, help="GPU share each.")
@click.option("--cpus-per-replica", type=click.FloatRange(0), default=1.0, help="CPUs each.")
def serve(**flags: Any) -> None:
    """Run the OpenAI-compatible HTTP server (POST /v1/audio/transcriptions, /docs)."""
    from stt_engine import heap
    from stt_engine.config import load_settings

    ray_flags = {k: flags.pop(k) for k in _RAY_FLAGS}
    given = {k: v for k, v in flags.items() if v is not None and v != ()}
    if "api_keys" in given:
        given["api_keys"] = list(given["api_keys"])
    settings = load_settings(**given)
    heap.limit_arenas(settings.malloc_arena_max)  # before any thread that allocates starts

    from stt_engine.server import create_app, graceful
    from stt_engine.server.logs import log_config
    from stt_engine.server.protocols import uvicorn_options

    logging.getLogger("stt_engine").setLevel(settings.log_level.upper())
    warning = open_warning(settings.host, settings.port, settings.accepted_keys())
    if warning:
        click.echo(warning, err=True)
    if ray_flags["on_ray"]:
        _serve_on_ray(settings, ray_flags)
        return
    app = create_app(settings)
    if settings.device == "cuda":
        # A GPU that is demanded but unusable stops the start (DeviceError, exit 5) with the reason.
        _ = app.state.stt.engine.device
    click.echo(
        f"stt-engine serving on http://{settings.host}:{settings.port} "
        f"(API docs at /docs, readiness at /health/ready)",
        err=True,
    )
    graceful.serve(
        app,
        settings.drain_seconds,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=log_config(settings.log_format, settings.log_level),
        access_log=False,  # one line per request comes from the app, with its id (request_log)
        **uvicorn_options(settings),
    )


def open_warning(host: str, port: int, keys: frozenset[str]) -> str | None:
    """The warning for a server reachable from other machines that asks no API key, else None."""
    if keys or _loopback_only(host):
        return None
    where = "every network interface" if host in ("0.0.0.0", "::", "") else "the network"
    return (
        f"warning: listening on {host}:{port} ({where}) with no API key: anyone who can reach "
        f"this machine can use the API. Set a key (--api-key KEY, STT_ENGINE_API_KEYS=KEY or "
        f"--api-keys-file), or serve this machine only with --host 127.0.0.1."
    )


def _loopback_only(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: assume it is reachable


_RAY_FLAGS = (
    "on_ray",
    "ray_address",
    "replicas",
    "max_replicas",
    "gpus_per_replica",
    "cpus_per_replica",
)


def _serve_on_ray(settings: Any, flags: dict[str, Any]) -> None:
    from stt_engine.errors import ConfigError

    try:
        from stt_engine.batch.serve_app import ServeOptions, serve_forever
    except ImportError as exc:
        raise ConfigError(
            "--ray needs Ray Serve, which is not installed",
            hint="pip install 'stt-engine[ray]'",
        ) from exc
    options = ServeOptions(
        replicas=flags["replicas"],
        max_replicas=flags["max_replicas"],
        gpus_per_replica=flags["gpus_per_replica"],
        cpus_per_replica=flags["cpus_per_replica"],
    )
    click.echo(
        f"stt-engine on Ray Serve: {options.replicas} replica(s) behind "
        f"http://{settings.host}:{settings.port} (Ctrl-C stops)",
        err=True,
    )
    serve_forever(settings, options, flags["ray_address"])
