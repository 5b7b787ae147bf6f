"""The settings, one group of fields per concern; ``stt_engine.config.Settings`` inherits them all.

A group is a pydantic model with a ``group`` name; the field's description is its help text
(``--help``, docs/settings.md). A new setting goes in its concern's group, with its
``STT_ENGINE_*`` name in tests/unit/test_settings_groups.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_settings import NoDecode

DeviceName = Literal["auto", "cuda", "cpu"]
BackendName = Literal["auto", "ctranslate2", "torch"]
FittedWindows = Literal["off", "streams", "all"]
LogFormat = Literal["text", "json"]
ComputeType = Literal[
    "auto",
    "default",
    "float16",
    "bfloat16",
    "float32",
    "int8",
    "int8_float16",
    "int8_bfloat16",
    "int8_float32",
]


def _split_commas(value: object) -> object:
    """A comma-separated variable (``a, b``) as a list; a list as it is."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]


def _default_models_dir() -> Path:
    container_dir = Path("/app/models")
    if container_dir.is_dir():
        return container_dir
    import platformdirs

    return Path(platformdirs.user_data_dir("stt-engine")) / "models"


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("stt-engine"))


def _default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("stt-engine"))


class SettingsGroup(BaseModel):
    """One concern's settings; ``Settings`` inherits every group."""

    group: ClassVar[str]


class ModelSettings(SettingsGroup):
    """Models: where they are kept, which one answers, how many stay loaded."""

    group: ClassVar[str] = "models"

    models_dir: Path = Field(
        default_factory=_default_models_dir,
        description="Folder of CTranslate2 Whisper models, one sub-folder each "
        "(default /app/models where it exists, else the per-user data dir).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where packaged split weights are assembled once (default: the per-user "
        "cache dir).",
    )
    default_model: str = Field("base", description="Model used when a request names none.")
    backend: BackendName = Field(
        "auto",
        description="auto: each model folder's format picks its backend (CTranslate2 folders: "
        "ctranslate2, Hugging Face Whisper checkpoints: torch); naming one makes every model "
        "use it.",
    )
    model_ttl_seconds: float = Field(
        600.0, ge=0, description="Unload a non-default model idle this long (0: never)."
    )
    max_loaded_models: int = Field(2, ge=1, description="Models kept loaded at once.")


class DeviceSettings(SettingsGroup):
    """The device the models run on."""

    group: ClassVar[str] = "device"

    device: DeviceName = Field("auto", description="auto: CUDA when usable, else CPU.")
    compute_type: ComputeType = Field(
        "auto",
        description="auto: float16 on GPU; on CPU int8 (ctranslate2) or float32 (torch).",
    )
    device_index: int = Field(0, ge=0, description="GPU index when device is cuda.")
    cpu_threads: int = Field(0, ge=0, description="Threads per model on CPU (0: all cores).")


class ServerSettings(SettingsGroup):
    """The HTTP server: where it listens, how many requests it takes, who may call."""

    group: ClassVar[str] = "server"

    host: str = Field(
        "0.0.0.0",
        description="Address the HTTP server binds (0.0.0.0: every interface, with a warning at "
        "start when no API key is set; 127.0.0.1: this machine only).",
    )
    port: int = Field(8003, ge=1, le=65535, description="HTTP port.")
    workers: int = Field(
        16,
        ge=1,
        le=256,
        description="Requests transcribed at once; their speech chunks share the batcher.",
    )
    queue_size: int = Field(8, ge=0, le=10000, description="Requests waiting beyond the workers.")
    api_keys: CommaList = Field(default_factory=list, description="Accepted Bearer keys.")
    api_keys_file: Path | None = Field(None, description="File of accepted keys, one a line.")
    log_level: str = Field("INFO", description="Python logging level.")
    log_format: LogFormat = Field(
        "text",
        description="text: one readable line per record; json: one JSON object per line "
        "(time, level, logger, message and each request's fields), for a log shipper.",
    )
    drain_seconds: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="On SIGTERM or SIGINT, how long requests and live sessions in flight "
        "may take to finish before they are cut; new ones are refused at once, and a second "
        "signal stops at once.",
    )
    malloc_arena_max: int = Field(
        1,
        ge=0,
        le=1024,
        description="Heap arenas (glibc's M_ARENA_MAX) the server's threads share: 1 keeps "
        "its memory from creeping as pool threads take turns, at no measured speed cost; "
        "0: glibc's default (eight per core). MALLOC_ARENA_MAX in the environment wins.",
    )
    heap_trim_idle_seconds: float = Field(
        10.0,
        ge=0,
        le=86400,
        description="Once nothing has run for this long, hand the heap's free pages back to "
        "the system, so the resident size between bursts is what the server holds (0: never).",
    )
    upload_dir: Path | None = Field(
        None,
        description="Folder for uploads while they are processed; each server run uses its "
        "own sub-folder and removes it on exit (default: the system temp dir).",
    )
    worker_nice: int = Field(
        19,
        ge=0,
        le=19,
        description="Nice value for every server thread but the event loop's (Linux), so "
        "health checks and uploads are answered while the model keeps the cores busy; on a "
        "machine shared with other busy services, 10 or 0 (off) keeps the model's share.",
    )

    def accepted_keys(self) -> frozenset[str]:
        """API keys from the list and the keys file together."""
        keys = set(self.api_keys)
        if self.api_keys_file is not None:
            from stt_engine.errors import ConfigError

            try:
                text = self.api_keys_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read api_keys_file {self.api_keys_file}: {exc}") from exc
            keys.update(line.strip() for line in text.splitlines() if line.strip())
        return frozenset(keys)


class LimitSettings(SettingsGroup):
    """How large and how long one request may be."""

    group: ClassVar[str] = "limits"

    max_upload_mb: float = Field(200.0, gt=0, description="Largest upload accepted, in MB.")
    max_audio_seconds: float = Field(
        4 * 3600.0, gt=0, description="Longest audio accepted, in seconds."
    )
    timeout_base_seconds: float = Field(60.0, gt=0, description="Request timeout floor, seconds.")
    timeout_per_audio_second: float = Field(
        2.0, gt=0, description="Extra timeout per second of audio, seconds."
    )

    http_header_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="A request's line and headers must all arrive within this many seconds "
        "of its first byte (or of the connection opening); else the connection is closed "
        "(408 where nothing was answered yet).",
    )
    http_body_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="An upload's body may take this many seconds, plus one second for every "
        "http_body_min_rate bytes received; a slower one is answered 408 and closed.",
    )
    http_body_min_rate: int = Field(
        500,
        ge=1,
        description="Bytes per second an upload's body must keep up, on average, after "
        "http_body_timeout_seconds (500: the rate of a very poor mobile link).",
    )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class BatchingSettings(SettingsGroup):
    """How the speech chunks of every request, job and stream share the decoder."""

    group: ClassVar[str] = "batching"

    batch_size: int = Field(
        0, ge=0, le=256, description="Most chunks in one decoder call (0: 16 on GPU, 4 on CPU)."
    )
    batch_wait_ms: float = Field(
        10.0, ge=0, le=1000, description="How long a batch waits for more chunks, milliseconds."
    )
    owner_max_chunks: int = Field(
        0,
        ge=0,
        le=256,
        description="Chunks one request, job or stream has queued or decoding (0: batch_size).",
    )
    job_max_chunks: int = Field(
        0,
        ge=0,
        le=256,
        description="Chunks one background job has queued or decoding (0: 1 on CPU, the "
        "batch size on GPU): a lower cap keeps requests' waits short while a job runs.",
    )
    fitted_windows: FittedWindows = Field(
        "all",
        description="Encode speech chunks in a window fitted to their length (10-30 s) rather "
        "than Whisper's full 30 s, several times faster on a CPU: every chunk (all), live "
        "streams only (streams) or none (off: Whisper's own 30 s window, for comparing "
        "against other Whisper servers word for word).",
    )
    pack_chunks: bool = Field(
        False,
        description="Ignored (logged once): packing chunks into one 30 s window adds nothing "
        "over fitted windows and was removed; accepted so existing settings still load.",
    )
    inference_threads: int = Field(
        0,
        ge=0,
        le=16,
        description="Batches decoded at once, on as many model replicas (0: 2 on CPU, so a "
        "request never waits behind a job's batch; 1 on GPU).",
    )
