"""Settings: the one configuration object, read once at the edge and passed in explicitly.

Every field is also an environment variable with the ``STT_ENGINE_`` prefix
(``STT_ENGINE_PORT=8003``). Nothing else in the package reads ``os.environ``.

An installed copy keeps its defaults in ``INSTALLED_ENV_FILE`` beside its venv (``install.sh``
writes ``PREFIX/stt-engine.env`` with ``STT_ENGINE_MODELS_DIR=...``), read in the same
``STT_ENGINE_*=value`` form. Precedence: arguments (command-line flags) over environment
variables over that file over the defaults below.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, ClassVar, Literal, TypeGuard

from pydantic import BaseModel, BeforeValidator, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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

INSTALLED_ENV_NAME = "stt-engine.env"


def installed_env_file() -> Path:
    """The installed defaults of the venv this Python runs in (it need not exist)."""
    return Path(sys.prefix) / INSTALLED_ENV_NAME


def _default_models_dir() -> Path:
    container_dir = Path("/app/models")
    if container_dir.is_dir():
        return container_dir
    import platformdirs

    return Path(platformdirs.user_data_dir("stt-engine")) / "models"


def _default_data_dir() -> Path:
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


class RealtimeSettings(SettingsGroup):
    """Realtime (WebSocket) transcription sessions."""

    group: ClassVar[str] = "realtime"

    realtime_max_sessions: int = Field(
        8, ge=0, le=1024, description="Live sessions open at once; one more is refused (0: off)."
    )
    realtime_idle_timeout_seconds: float = Field(
        60.0, gt=0, description="Close a live session after this many seconds without a message."
    )
    realtime_max_session_seconds: float = Field(
        3600.0, gt=0, description="Close a live session this many seconds after it opened."
    )
    realtime_max_buffer_seconds: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="Uncommitted audio one live session may hold, in seconds (manual commits).",
    )
    realtime_max_backlog_seconds: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="Committed audio one live session may have waiting for its transcript, "
        "in seconds; a client sending faster than the server transcribes gets an error and "
        "close code 1008 beyond it.",
    )
    realtime_max_pending_events: int = Field(
        256,
        ge=8,
        le=100000,
        description="Server events one live session may have waiting to be sent; a client "
        "that stops reading gets an error and close code 1008 beyond it.",
    )
    realtime_ping_interval_seconds: float = Field(
        20.0,
        ge=0,
        description="A WebSocket ping every this many seconds (0: none), so a client that "
        "vanished without closing is found.",
    )
    realtime_ping_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="A ping unanswered this long ends the connection (close code 1011).",
    )
    realtime_max_turn_seconds: float = Field(
        30.0, ge=2, le=30, description="Continuous speech cut into a new turn after, seconds."
    )
    realtime_partial_interval_seconds: float = Field(
        1.0, ge=0.2, le=10, description="How often an open turn is re-decoded, seconds."
    )
    realtime_speaker_cosine: float = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="Live speaker labels: a turn whose voice is at least this cosine-similar "
        "to a known speaker's is theirs, else it is a new speaker (higher splits more).",
    )
    realtime_client_secret_max_seconds: int = Field(
        7200,
        ge=1,
        le=7200,
        description="Longest life of a realtime client secret (POST /v1/realtime/client_secrets)"
        ", seconds; a longer expires_after is cut to it (the default life is 600 s or this).",
    )


class JobSettings(SettingsGroup):
    """Durable background jobs and the web page that sends long files to them."""

    group: ClassVar[str] = "jobs"

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Job database, uploads and results (default: the per-user data dir).",
    )
    jobs_input_dir: Path | None = Field(
        None, description="Server-side folder that JSON job submissions may name files in."
    )
    job_workers: int = Field(1, ge=0, le=16, description="Background job workers.")
    job_retention_seconds: float = Field(
        0.0, ge=0, description="Keep a finished job's uploaded audio this long (0: remove now)."
    )
    job_result_retention_seconds: float = Field(
        30 * 86400.0,
        ge=0,
        description="Delete a finished job and its result this long after it ended, in seconds "
        "(default 30 days; 0: keep until deleted).",
    )
    web_job_seconds: float = Field(
        300.0,
        ge=0,
        description="The web page sends files longer than this as background jobs, seconds "
        "(0: every file becomes a job).",
    )


class WebhookSettings(SettingsGroup):
    """Webhooks that report finished jobs."""

    group: ClassVar[str] = "webhooks"

    webhook_secret: str | None = Field(None, description="HMAC-SHA256 key for webhook bodies.")
    webhook_max_attempts: int = Field(5, ge=1, le=20, description="Webhook delivery attempts.")
    webhook_backoff_seconds: float = Field(
        2.0, gt=0, description="Wait before the first webhook retry, in seconds; doubles each try."
    )
    webhook_allow_hosts: CommaList = Field(
        default_factory=list,
        description="Hosts and networks (127.0.0.1, 10.0.0.0/8, hooks.internal) webhooks may "
        "reach although they are loopback, private, link-local or metadata addresses.",
    )


class RedactionSettings(SettingsGroup):
    """Personal data masked in transcripts."""

    group: ClassVar[str] = "redaction"

    redact: str = Field(
        "",
        description="Personal data masked when a request names none: phone, rrn, card, "
        "account, email, name, all (comma-separated; empty: none).",
    )
    redact_placeholder: Literal["label", "stars"] = Field(
        "label", description="Masked text as its kind ([전화번호]) or as ***."
    )

    @field_validator("redact")
    @classmethod
    def _check_redact(cls, value: str) -> str:
        from stt_engine.text.redact import parse_kinds

        try:
            parse_kinds(value)
        except Exception as exc:  # an InvalidRequestError: report it as a settings error
            raise ValueError(str(exc)) from exc
        return value


class DiarizationSettings(SettingsGroup):
    """Speaker labels of finished recordings."""

    group: ClassVar[str] = "diarization"

    diarize_merge_cosine: float = Field(
        0.95,
        gt=0.0,
        le=1.0,
        description="Diarization: speaker clusters whose centroids are at least this cosine-"
        "similar are merged into one speaker (lower merges more; 1.0 merges only identical).",
    )
    known_speaker_cosine: float = Field(
        0.85,
        gt=0.0,
        le=1.0,
        description="Known speakers: a found speaker (or a live turn) whose voice is at least "
        "this cosine-similar to a known speaker's reference carries their name (measured on 20 "
        "voices: a voice against its own reference 0.87 to 0.98; see docs/diarization.md).",
    )
    diarize_vad_threshold: float = Field(
        0.4,
        gt=0.0,
        lt=1.0,
        description="Diarization: Silero speech probability from which a frame is speech "
        "(its own voice detection, apart from the ASR chunking's).",
    )
    diarize_vad_pad_ms: int = Field(
        200, ge=0, le=1000, description="Diarization: speech regions widened by this much."
    )
    diarize_vad_min_silence_ms: int = Field(
        300,
        ge=0,
        le=5000,
        description="Diarization: a pause shorter than this stays inside a speech region.",
    )


class Settings(
    ModelSettings,
    DeviceSettings,
    ServerSettings,
    LimitSettings,
    BatchingSettings,
    RealtimeSettings,
    JobSettings,
    WebhookSettings,
    RedactionSettings,
    DiarizationSettings,
    BaseSettings,
):
    """Everything the engine, server and jobs can be told, one group of fields per concern."""

    model_config = SettingsConfigDict(
        env_prefix="STT_ENGINE_",
        env_file=installed_env_file(),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    @classmethod
    def groups(cls) -> dict[str, tuple[str, ...]]:
        """Each group's name and its fields' names, in declaration order."""
        bases = [base for base in cls.__mro__ if _is_group(base)]
        return {base.group: tuple(base.model_fields) for base in bases}

    @classmethod
    def group_fields(cls, group: str) -> tuple[str, ...]:
        """The names of one group's fields (``Settings.group_fields("server")``)."""
        groups = cls.groups()
        if group not in groups:
            raise ValueError(f"no settings group {group!r}; groups: {', '.join(groups)}")
        return groups[group]

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of one field (``STT_ENGINE_PORT`` for ``port``)."""
        if field not in cls.model_fields:
            raise ValueError(f"no setting {field!r}")
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def _is_group(base: type) -> TypeGuard[type[SettingsGroup]]:
    return issubclass(base, SettingsGroup) and "group" in vars(base)


def load_settings(**overrides: object) -> Settings:
    """Settings from flags (``overrides``), STT_ENGINE_* variables and the installed defaults.

    A bad value from any of them is a ConfigError naming the field, not a traceback.
    """
    from pydantic import ValidationError

    from stt_engine.errors import ConfigError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error.get("loc", ()))
        installed = installed_env_file()
        hint = f"flags, STT_ENGINE_* variables and {installed}" if installed.is_file() else None
        raise ConfigError(
            f"invalid setting: {where}: {error.get('msg', 'invalid')}",
            hint=f"check {hint}" if hint else "check the flags and STT_ENGINE_* variables",
        ) from exc
