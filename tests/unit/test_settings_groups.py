"""Settings are declared in groups, one per concern, and keep every STT_ENGINE_* name."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.config import Settings, load_settings
from stt_engine.errors import ConfigError

# Every variable a user could set before the settings were grouped; a rename breaks deployments.
ENV_NAMES = [
    "STT_ENGINE_MODELS_DIR",
    "STT_ENGINE_CACHE_DIR",
    "STT_ENGINE_DEFAULT_MODEL",
    "STT_ENGINE_BACKEND",
    "STT_ENGINE_DEVICE",
    "STT_ENGINE_COMPUTE_TYPE",
    "STT_ENGINE_DEVICE_INDEX",
    "STT_ENGINE_CPU_THREADS",
    "STT_ENGINE_HOST",
    "STT_ENGINE_PORT",
    "STT_ENGINE_WORKERS",
    "STT_ENGINE_QUEUE_SIZE",
    "STT_ENGINE_BATCH_SIZE",
    "STT_ENGINE_BATCH_WAIT_MS",
    "STT_ENGINE_OWNER_MAX_CHUNKS",
    "STT_ENGINE_JOB_MAX_CHUNKS",
    "STT_ENGINE_FITTED_WINDOWS",
    "STT_ENGINE_PACK_CHUNKS",
    "STT_ENGINE_INFERENCE_THREADS",
    "STT_ENGINE_MAX_UPLOAD_MB",
    "STT_ENGINE_MAX_AUDIO_SECONDS",
    "STT_ENGINE_HTTP_HEADER_TIMEOUT_SECONDS",
    "STT_ENGINE_HTTP_BODY_TIMEOUT_SECONDS",
    "STT_ENGINE_HTTP_BODY_MIN_RATE",
    "STT_ENGINE_TIMEOUT_BASE_SECONDS",
    "STT_ENGINE_TIMEOUT_PER_AUDIO_SECOND",
    "STT_ENGINE_MODEL_TTL_SECONDS",
    "STT_ENGINE_MAX_LOADED_MODELS",
    "STT_ENGINE_API_KEYS",
    "STT_ENGINE_API_KEYS_FILE",
    "STT_ENGINE_LOG_LEVEL",
    "STT_ENGINE_LOG_FORMAT",
    "STT_ENGINE_DRAIN_SECONDS",
    "STT_ENGINE_MALLOC_ARENA_MAX",
    "STT_ENGINE_HEAP_TRIM_IDLE_SECONDS",
    "STT_ENGINE_UPLOAD_DIR",
    "STT_ENGINE_WORKER_NICE",
    "STT_ENGINE_REALTIME_MAX_SESSIONS",
    "STT_ENGINE_REALTIME_IDLE_TIMEOUT_SECONDS",
    "STT_ENGINE_REALTIME_MAX_SESSION_SECONDS",
    "STT_ENGINE_REALTIME_MAX_BUFFER_SECONDS",
    "STT_ENGINE_REALTIME_MAX_BACKLOG_SECONDS",
    "STT_ENGINE_REALTIME_MAX_PENDING_EVENTS",
    "STT_ENGINE_REALTIME_PING_INTERVAL_SECONDS",
    "STT_ENGINE_REALTIME_PING_TIMEOUT_SECONDS",
    "STT_ENGINE_REALTIME_MAX_TURN_SECONDS",
    "STT_ENGINE_REALTIME_PARTIAL_INTERVAL_SECONDS",
    "STT_ENGINE_REALTIME_SPEAKER_COSINE",
    "STT_ENGINE_REALTIME_CLIENT_SECRET_MAX_SECONDS",
    "STT_ENGINE_DATA_DIR",
    "STT_ENGINE_JOBS_INPUT_DIR",
    "STT_ENGINE_JOB_WORKERS",
    "STT_ENGINE_JOB_RETENTION_SECONDS",
    "STT_ENGINE_JOB_RESULT_RETENTION_SECONDS",
    "STT_ENGINE_WEBHOOK_SECRET",
    "STT_ENGINE_WEBHOOK_MAX_ATTEMPTS",
    "STT_ENGINE_WEBHOOK_BACKOFF_SECONDS",
    "STT_ENGINE_WEBHOOK_ALLOW_HOSTS",
    "STT_ENGINE_WEB_JOB_SECONDS",
    "STT_ENGINE_REDACT",
    "STT_ENGINE_REDACT_PLACEHOLDER",
    "STT_ENGINE_DIARIZE_MERGE_COSINE",
    "STT_ENGINE_KNOWN_SPEAKER_COSINE",
    "STT_ENGINE_DIARIZE_VAD_THRESHOLD",
    "STT_ENGINE_DIARIZE_VAD_PAD_MS",
    "STT_ENGINE_DIARIZE_VAD_MIN_SILENCE_MS",
]

GROUPS = (
    "models",
    "device",
    "server",
    "limits",
    "batching",
    "realtime",
    "jobs",
    "webhooks",
    "redaction",
    "diarization",
)

# One field of each group, set through its variable: (field, variable value, value read).
ONE_PER_GROUP = {
    "models": ("default_model", "small", "small"),
    "device": ("cpu_threads", "3", 3),
    "server": ("api_keys", "k1, ,k2", ["k1", "k2"]),
    "limits": ("max_upload_mb", "5.5", 5.5),
    "batching": ("batch_wait_ms", "20", 20.0),
    "realtime": ("realtime_max_sessions", "2", 2),
    "jobs": ("job_workers", "2", 2),
    "webhooks": (
        "webhook_allow_hosts",
        "10.0.0.0/8,hooks.internal",
        ["10.0.0.0/8", "hooks.internal"],
    ),
    "redaction": ("redact_placeholder", "stars", "stars"),
    "diarization": ("diarize_merge_cosine", "0.9", 0.9),
}


def test_every_setting_keeps_its_variable_name() -> None:
    names = [Settings.env_name(field) for field in Settings.model_fields]
    assert sorted(names) == sorted(ENV_NAMES)
    assert all(
        field.alias is None and field.validation_alias is None
        for field in Settings.model_fields.values()
    )


def test_every_field_is_in_exactly_one_group() -> None:
    groups = Settings.groups()
    assert tuple(groups) == GROUPS
    grouped = [name for fields in groups.values() for name in fields]
    assert sorted(grouped) == sorted(Settings.model_fields)
    assert len(grouped) == len(set(grouped))


def test_a_group_lists_its_fields_in_declaration_order() -> None:
    assert Settings.group_fields("server")[:4] == ("host", "port", "workers", "queue_size")
    assert "fitted_windows" in Settings.group_fields("batching")
    assert Settings.group_fields("diarization") == (
        "diarize_merge_cosine",
        "known_speaker_cosine",
        "diarize_vad_threshold",
        "diarize_vad_pad_ms",
        "diarize_vad_min_silence_ms",
    )


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_is_read_from_its_variables(group: str, monkeypatch: pytest.MonkeyPatch) -> None:
    field, text, value = ONE_PER_GROUP[group]
    assert field in Settings.group_fields(group)
    monkeypatch.setenv(Settings.env_name(field), text)
    assert getattr(Settings(), field) == value


def test_a_flag_value_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STT_ENGINE_PORT", "9001")
    assert load_settings().port == 9001
    assert load_settings(port=9002).port == 9002


def test_a_bad_variable_names_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STT_ENGINE_REDACT", "phone,nonsense")
    with pytest.raises(ConfigError, match="invalid setting: redact"):
        load_settings()


def test_an_unknown_group_or_field_is_refused() -> None:
    with pytest.raises(ValueError, match="no settings group 'nope'; groups: models, device"):
        Settings.group_fields("nope")
    with pytest.raises(ValueError, match="no setting 'nope'"):
        Settings.env_name("nope")


def test_group_methods_stay_on_the_settings() -> None:
    settings = Settings(max_upload_mb=1.0, api_keys=["a"])
    assert settings.max_upload_bytes == 1024 * 1024
    assert settings.accepted_keys() == frozenset({"a"})


def test_the_settings_page_is_written_from_the_fields() -> None:
    from stt_engine.cli.settings_reference import render

    page = Path(__file__).parents[2] / "docs" / "settings.md"
    assert page.read_text(encoding="utf-8") == render(), "run scripts/settings-reference"


def test_the_settings_page_names_every_variable_and_serve_flag() -> None:
    from stt_engine.cli.serve import SERVE_SETTINGS
    from stt_engine.cli.settings_reference import render, serve_flags

    page = render()
    assert all(f"| `{name}` |" in page for name in ENV_NAMES)
    assert sorted(serve_flags()) == sorted(SERVE_SETTINGS)
    assert "| `STT_ENGINE_API_KEYS` | none |  | `--api-key` |" in page
    assert "| `STT_ENGINE_PORT` | `8003` | >= 1, <= 65535 | `--port` |" in page
