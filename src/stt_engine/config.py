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
from typing import TypeGuard

from pydantic_settings import BaseSettings, SettingsConfigDict

from stt_engine.settings_groups import (
    BatchingSettings,
    DeviceSettings,
    LimitSettings,
    ModelSettings,
    ServerSettings,
    SettingsGroup,
)
from stt_engine.settings_services import (
    DiarizationSettings,
    JobSettings,
    RealtimeSettings,
    RedactionSettings,
    WebhookSettings,
)

INSTALLED_ENV_NAME = "stt-engine.env"


def installed_env_file() -> Path:
    """The installed defaults of the venv this Python runs in (it need not exist)."""
    return Path(sys.prefix) / INSTALLED_ENV_NAME


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
