"""The server's log output: readable text lines, or one JSON object per line (``log_format``).

Both forms go to standard error. The JSON form has ``time`` (UTC, ISO 8601), ``level``,
``logger`` and ``message`` on every line, ``exception`` when there is a traceback, and each
request line's fields (``request_id``, ``method``, ``route``, ``status``, ``seconds``,
``audio_seconds``, ``rtf``, ``queue_wait_seconds``) as keys of their own. uvicorn's own
lines take the same form; its access log is off, as the request lines replace it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` for uvicorn and the package, in the chosen form
    (other libraries' records keep the root level: WARNING, lowered by ``stt-engine -v``)."""
    root_level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": _TEXT_FORMAT}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "uvicorn": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["main"], "level": level, "propagate": False},
            "stt_engine": {"level": level},
        },
        "root": {"handlers": ["main"], "level": root_level},
    }
