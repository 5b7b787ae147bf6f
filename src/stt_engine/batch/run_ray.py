"""A batch run on Ray Data: decode on CPU tasks, transcribe on a pool of actors, write here.

The pipeline is ``from_items`` (one row per pending file) -> ``map(decode)`` on CPU tasks ->
``map_batches(Transcriber)`` on an actor pool, each actor building its ``Engine`` once (on its
share of a GPU when asked) -> rows streamed back to this driver, which alone writes outputs and
the manifest. An actor whose process dies is restarted and its batch retried by Ray Data
(its actor pools default to ``max_restarts=-1`` and ``max_task_retries=-1``); a retried
file's result reaches the driver once, and writing it is idempotent anyway (atomic renames).
The paths must be readable by every node (a shared filesystem) on a cluster of several
machines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stt_engine.batch.driver import Driver
from stt_engine.batch.inputs import Item
from stt_engine.batch.outputs import Record
from stt_engine.batch.work import BatchSpec, Outcome, failed, transcribe_item
from stt_engine.config import Settings
from stt_engine.errors import ConfigError, SttError

if TYPE_CHECKING:
    from stt_engine.engine import Engine

DECODE_CPUS = 0.25  # decoding is short next to transcription: let it share cores


@dataclass(frozen=True)
class RayOptions:
    address: str  # "local" starts Ray here, "auto" joins the running cluster, else its address
    workers: int = 1  # actors, each holding one model
    gpus_per_worker: float = 0.0
    cpus_per_worker: float = 1.0


def run_ray(driver: Driver, spec: BatchSpec, settings: Settings, ray_options: RayOptions) -> None:
    """Transcribe the driver's pending items on Ray, writing each result as it arrives."""
    if not driver.pending:
        return
    _connect(ray_options.address)
    import ray.data

    driver.start()
    _check_room(ray.cluster_resources(), ray_options)
    settings = actor_settings(settings, ray_options)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the driver shows progress in audio seconds
    rows = [{"source": str(i.source), "key": i.key} for i in driver.pending]
    dataset = (
        ray.data.from_items(rows, override_num_blocks=len(rows))
        .map(partial(decode_row, settings=settings), num_cpus=DECODE_CPUS)
        .map_batches(
            Transcriber,
            fn_constructor_args=(settings, spec),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=ray_options.workers),
            num_cpus=ray_options.cpus_per_worker,
            num_gpus=ray_options.gpus_per_worker or None,
            runtime_env={"env_vars": {"OMP_NUM_THREADS": str(settings.cpu_threads)}},
        )
    )
    for row in dataset.iter_rows():
        driver.finish(outcome_from_json(row["outcome"]))


def actor_settings(settings: Settings, ray_options: RayOptions) -> Settings:
    """The settings each actor builds its engine from: CPU threads follow its CPU share.

    Ray sets OMP_NUM_THREADS=1 in its workers; CTranslate2's int8 results on the CPU can change
    with both its thread count and OpenMP's, so the actor gets the same number for each.
    """
    if settings.cpu_threads:
        return settings
    threads = max(1, round(ray_options.cpus_per_worker))
    return settings.model_copy(update={"cpu_threads": threads})


def _check_room(resources: dict[str, float], ray_options: RayOptions) -> None:
    """Refuse a pool that would leave no CPU to decode on (the run would wait forever)."""
    cpus = float(resources.get("CPU", 0.0))
    wanted = ray_options.workers * ray_options.cpus_per_worker
    if wanted + DECODE_CPUS > cpus:
        raise ConfigError(
            f"{ray_options.workers} worker(s) x {ray_options.cpus_per_worker:g} CPU leave no "
            f"CPU to decode on: the cluster has {cpus:g}",
            hint="lower --workers or --cpus-per-worker, or add CPUs to the cluster",
        )
    gpus = float(resources.get("GPU", 0.0))
    if ray_options.workers * ray_options.gpus_per_worker > gpus:
        raise ConfigError(
            f"{ray_options.workers} worker(s) x {ray_options.gpus_per_worker:g} GPU do not fit "
            f"the cluster's {gpus:g} GPU(s)",
            hint="lower --workers or --gpus-per-worker",
        )


def _connect(address: str) -> None:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--ray needs Ray, which is not installed",
            hint="pip install 'stt-engine[ray]' (or leave out --ray to run in this process)",
        ) from exc
    if not ray.is_initialized():
        try:
            ray.init(address=None if address == "local" else address, log_to_driver=True)
        except ConnectionError as exc:
            raise ConfigError(
                f"cannot reach the Ray cluster at {address}: {exc}",
                hint="start it with `ray start --head`, or use --ray local",
            ) from exc


def decode_row(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A file decoded to 16 kHz mono float32 bytes, or the reason it could not be."""
    from stt_engine.audio import AudioLimits, decode_audio

    limits = AudioLimits(settings.max_upload_bytes, settings.max_audio_seconds)
    try:
        samples = decode_audio(row["source"], limits)
    except SttError as exc:
        return {**row, "audio": b"", "error": exc.message, "hint": exc.hint or ""}
    except Exception as exc:  # one file's bug must not stop the run
        error = f"internal error: {type(exc).__name__}: {exc}"
        return {**row, "audio": b"", "error": error, "hint": ""}
    return {**row, "audio": samples.astype(np.float32).tobytes(), "error": "", "hint": ""}


class Transcriber:
    """A Ray Data actor: one Engine, built once, transcribing one decoded file per call."""

    def __init__(self, settings: Settings, spec: BatchSpec):
        from stt_engine.engine import Engine

        self.engine: Engine = Engine(settings)
        model = self.engine.load(spec.model)
        self.prepared = self.engine.prepare(model, spec.decode)
        self.spec = spec

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, list[str]]:
        outcomes = []
        columns = (rows["source"], rows["key"], rows["audio"], rows["error"], rows["hint"])
        for source, key, audio, error, hint in zip(*columns, strict=True):
            item = Item(source=Path(str(source)), key=str(key))
            if error:
                outcome = failed(item, str(error), str(hint) or None)
            else:
                samples = np.frombuffer(audio, dtype=np.float32)
                outcome = transcribe_item(self.engine, item, samples, self.spec, self.prepared)
            outcomes.append(outcome_to_json(outcome))
        return {"outcome": outcomes}


def outcome_to_json(outcome: Outcome) -> str:
    record = asdict(outcome.record)
    return json.dumps({"record": record, "rendered": outcome.rendered, "hint": outcome.hint})


def outcome_from_json(text: str) -> Outcome:
    data = json.loads(text)
    return Outcome(Record(**data["record"]), dict(data["rendered"]), data.get("hint"))
