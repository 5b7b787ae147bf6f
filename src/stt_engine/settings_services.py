"""The settings of the services around the engine: live sessions, jobs, webhooks, masking and
diarization (the engine's own groups are in ``settings_groups``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from stt_engine.settings_groups import CommaList, SettingsGroup, default_data_dir


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
        default_factory=default_data_dir,
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
