"""The HTTP API on Ray Serve: the FastAPI app of ``create_app``, unchanged, on N replicas.

Each replica builds its own app (and so its own Engine, model pool, batcher, metrics and
/health) from the settings it is given, on its share of the cluster (``ray_actor_options``:
CPUs, GPUs). The Serve proxy spreads requests over the replicas; with ``max_replicas`` above
``replicas`` Serve adds and removes replicas from the requests in flight. Durable jobs are left
out (``job_workers=0``): their SQLite store belongs to one node (see docs/scale.md).

``stt-engine serve --ray`` calls ``serve_forever``; ``serve run deploy/ray-serve.yaml`` calls
``app_builder`` with the file's ``args``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ray import serve
from ray.serve.deployment import Application

from stt_engine.config import Settings

APP_NAME = "stt-engine"


@dataclass(frozen=True)
class ServeOptions:
    replicas: int = 1  # at the start; also the autoscaling floor
    max_replicas: int = 0  # above replicas: autoscale up to it
    gpus_per_replica: float = 0.0
    cpus_per_replica: float = 1.0


@serve.ingress()
class SttReplica:
    """One replica: the engine's FastAPI app, built in the replica's own process."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __serve_build_asgi_app__(self) -> Any:
        from stt_engine.server import create_app

        return create_app(self.settings)


def build(settings: Settings, options: ServeOptions) -> Application:
    """The Serve application: SttReplica with its replicas, resources and autoscaling."""
    settings = settings.model_copy(update={"job_workers": 0})
    actor_options: dict[str, Any] = {"num_cpus": options.cpus_per_replica}
    if options.gpus_per_replica:
        actor_options["num_gpus"] = options.gpus_per_replica
    from stt_engine import heap

    arenas = heap.child_arenas(settings.malloc_arena_max)
    if arenas:  # glibc reads it as the replica's process starts, before any thread
        actor_options["runtime_env"] = {"env_vars": {"MALLOC_ARENA_MAX": arenas}}
    scaling: dict[str, Any] = {}
    if options.max_replicas > options.replicas:
        scaling["autoscaling_config"] = {
            "min_replicas": options.replicas,
            "initial_replicas": options.replicas,
            "max_replicas": options.max_replicas,
            "target_ongoing_requests": max(1, settings.workers),
        }
    else:
        scaling["num_replicas"] = options.replicas
    deployment = serve.deployment(
        name="SttReplica",
        ray_actor_options=actor_options,
        max_ongoing_requests=settings.workers + settings.queue_size,
        health_check_period_s=10,
        **scaling,
    )(SttReplica)
    return deployment.bind(settings)


def app_builder(args: dict[str, Any]) -> Application:
    """For ``serve run``: settings from STT_ENGINE_* (and ``settings`` in args), sizes from args."""
    settings = Settings(**dict(args.get("settings") or {}))
    fields = ("replicas", "max_replicas", "gpus_per_replica", "cpus_per_replica")
    return build(settings, ServeOptions(**{k: args[k] for k in fields if k in args}))


def start(settings: Settings, options: ServeOptions, address: str | None = None) -> None:
    """Connect to (or start) Ray, start Serve's proxy on the settings' host and port, deploy."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address)
    serve.start(http_options={"host": settings.host, "port": settings.port})
    serve.run(build(settings, options), name=APP_NAME, route_prefix="/")


def serve_forever(settings: Settings, options: ServeOptions, address: str | None = None) -> None:
    """Deploy, then keep the driver alive until interrupted (Ctrl-C shuts the app down)."""
    import time

    start(settings, options, address)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        serve.delete(APP_NAME)
