"""What a job is: its request (``JobSpec``) and its stored state (``JobRecord``).

A job moves ``queued -> running -> succeeded | failed | cancelled``. A crash leaves it
``running``; the next start puts it back to ``queued`` and it runs again from the start.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from stt_engine.engine import TranscribeOptions
from stt_engine.options import on

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
STATUSES: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
ENDED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


_ADDED_LATER = frozenset(
    {
        "without_timestamps",
        "vad_threshold",
        "numbers",
        "redact",
        "vocabulary",
        "diarize",
        "diarize_mode",
        "num_speakers",
        "min_speakers",
        "max_speakers",
    }
)


def options_to_json(options: TranscribeOptions) -> str:
    """Decoding options as stored in the database.

    The keys are the table's ``json`` options, and ``extra``: no surface sets it, but it was
    always stored, and keeping it keeps the fingerprints of earlier submissions the same.
    Options added since the first release are stored only when they differ from their default,
    for the same reason.
    """
    stored: dict[str, object] = {
        o.name: getattr(options, o.name)
        for o in on("json")
        if o.name not in _ADDED_LATER or getattr(options, o.name) != o.default
    }
    stored["extra"] = options.extra
    return json.dumps(stored, ensure_ascii=False, sort_keys=True)


def options_from_json(text: str) -> TranscribeOptions:
    """Stored options; keys no longer in the table are ignored, missing ones take defaults."""
    raw: dict[str, Any] = json.loads(text)
    values = {o.name: _stored(raw[o.name]) for o in on("json") if o.name in raw}
    extra = raw.get("extra")
    return TranscribeOptions(**values, extra=extra if isinstance(extra, dict) else {})


def _stored(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value  # temperature: a JSON array


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One submission: the audio, how to decode it, and whom to tell."""

    model: str
    options: TranscribeOptions
    audio_path: str
    source: Literal["upload", "input"]  # upload: a copy the job owns; input: the server's file
    filename: str
    webhook_url: str | None = None
    idempotency_key: str | None = None
    fingerprint: str = ""  # digest of audio and options, to spot a reused Idempotency-Key
    owner: str | None = None  # digest of the API key that submitted it (None: no keys)


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    attempt: int
    at: float
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: str
    status: str
    model: str
    options: TranscribeOptions
    filename: str
    source: str
    audio_path: str
    audio_removed: bool
    created_at: float
    started_at: float | None
    finished_at: float | None
    seconds_done: float
    seconds_total: float | None
    error_code: str | None
    error: str | None
    runs: int
    completions: int
    result_path: str | None
    idempotency_key: str | None
    fingerprint: str
    webhook_url: str | None
    webhook_state: str | None  # pending, delivered, failed (None: no webhook)
    webhook_attempts: tuple[WebhookAttempt, ...] = ()
    owner: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def to_api(self) -> dict[str, object]:
        """The job as the HTTP API shows it."""
        total = self.seconds_total
        fraction = min(self.seconds_done / total, 1.0) if total else 0.0
        body: dict[str, object] = {
            "id": self.id,
            "object": "transcription.job",
            "status": self.status,
            "model": self.model,
            "filename": self.filename,
            "language": self.options.language,
            "task": self.options.task,
            "created_at": round(self.created_at, 3),
            "started_at": _rounded(self.started_at),
            "finished_at": _rounded(self.finished_at),
            "progress": {
                "seconds_done": round(self.seconds_done, 2),
                "seconds_total": _rounded(total, 2),
                "fraction": round(fraction, 4),
            },
            "runs": self.runs,
            "error": {"code": self.error_code, "message": self.error} if self.error else None,
            "result_url": f"/v1/jobs/{self.id}/result" if self.status == "succeeded" else None,
            "webhook": self._webhook_api(),
        }
        return body

    def _webhook_api(self) -> dict[str, object] | None:
        if self.webhook_url is None:
            return None
        return {
            "url": self.webhook_url,
            "state": self.webhook_state,
            "attempts": [asdict(a) for a in self.webhook_attempts],
        }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)
