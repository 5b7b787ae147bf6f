"""Every other name a model answers to: the one alias table.

Read by the registry (and so by every route, job, the CLI and realtime sessions when they
resolve a name), by GET /v1/models to list each model's aliases, and by realtime sessions for
OpenAI's newer model names. An alias names a packaged or pulled model by its short name, or
``DEFAULT``: the configured default model (``whisper-1``, OpenAI's id for its Whisper).
"""

from __future__ import annotations

from stt_engine.models.catalog import HUB

DEFAULT = ""  # an alias's target meaning the configured default model
DIARIZE_SUFFIX = "-diarize"  # after a session's model name: speaker labels, the same model

# OpenAI's transcription model ids: every one names the configured default model
OPENAI_MODELS = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize",  # and turns diarization on
    "gpt-transcribe",
    "gpt-live-transcribe",  # realtime (2026)
    "gpt-realtime-whisper",  # realtime (the name gpt-live-transcribe replaces)
)

ALIASES: dict[str, str] = {
    **dict.fromkeys(OPENAI_MODELS, DEFAULT),
    # the names users paste for the packaged models
    "whisper-base": "base",
    "Systran/faster-whisper-base": "base",
    "openai/whisper-base": "base",
    "whisper-tiny.en": "tiny.en",
    "Systran/faster-whisper-tiny.en": "tiny.en",
    "openai/whisper-tiny.en": "tiny.en",
    # the hub repositories `models pull` knows by a short name
    **{repo_id: short for short, repo_id in HUB.items()},
}

# OpenAI's newer transcription models and their dated snapshots (names that start so): a
# realtime session decodes them with the default model (the HTTP routes take the exact ids).
SESSION_DEFAULT_PREFIXES = (
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-realtime",
    "gpt-transcribe",
    "gpt-live-transcribe",
)


def canonical(name: str | None, default: str) -> str:
    """The model a name stands for: an alias's target, else the name itself."""
    if not name:
        return default
    return ALIASES.get(name, name) or default


def aliases_of(model: str, default: str) -> list[str]:
    """The aliases that name a model, in table order (``whisper-1`` for the default)."""
    return [alias for alias, target in ALIASES.items() if (target or default) == model]


def default_aliases() -> list[str]:
    """The aliases that always mean the default model."""
    return [alias for alias, target in ALIASES.items() if target == DEFAULT]


def diarizes(name: str | None) -> bool:
    """Whether a model name asks for speaker labels (``gpt-4o-transcribe-diarize``, or any
    model's name with ``-diarize`` after it)."""
    return name is not None and name.endswith(DIARIZE_SUFFIX)


def session_model(name: str | None) -> str | None:
    """The name a realtime session's model stands for (None: the default model): OpenAI's
    names mean the default, and a ``-diarize`` ending names the same model."""
    if name is None or name.startswith(SESSION_DEFAULT_PREFIXES):
        return None
    return name.removesuffix(DIARIZE_SUFFIX)
