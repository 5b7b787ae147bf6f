"""POST /v1/realtime/client_secrets (GA) and /v1/realtime/transcription_sessions (beta).

Both issue a short-lived client secret bound to a transcription session configuration, for a
browser or app that must never hold the real API key (server/client_secret.py). The caller
needs a real API key when keys are configured; the secret opens ``/v1/realtime`` only.
``expires_after.seconds`` (beta: ``client_secret.expires_at.seconds``) takes 10 to 7200
seconds, OpenAI's range, cut to ``realtime_client_secret_max_seconds``; the default is 600.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, ConfigDict, Field

from stt_engine.diarize import run as diarize
from stt_engine.engine.scheduler import TimeoutPolicy
from stt_engine.errors import DiarizationUnavailableError, InvalidRequestError
from stt_engine.realtime.decoder import EngineDecoder
from stt_engine.realtime.events import Dialect, EventError, SessionConfig, describe, new_id
from stt_engine.server import client_secret
from stt_engine.server.auth import require_key
from stt_engine.server.state import ServerState, StateDep

router = APIRouter(prefix="/v1/realtime", tags=["realtime"], dependencies=[Depends(require_key)])


class ExpiresAfter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    anchor: Literal["created_at"] = "created_at"
    seconds: int | None = Field(
        None, ge=client_secret.MIN_SECONDS, le=client_secret.MAX_SECONDS, strict=True
    )


class SecretRequest(BaseModel):
    """GA: ``{"expires_after": {...}, "session": {"type": "transcription", ...}}``."""

    expires_after: ExpiresAfter | None = None
    session: dict[str, Any] | None = None


class BetaSecret(BaseModel):
    expires_at: ExpiresAfter | None = None


class BetaSessionRequest(BaseModel):
    """Beta: the flat transcription session fields and ``client_secret.expires_at``."""

    model_config = ConfigDict(extra="allow")
    client_secret: BetaSecret | None = None


def _grant(
    state: ServerState, dialect: Dialect, session: dict[str, Any], seconds: int | None
) -> tuple[client_secret.Grant, SessionConfig]:
    """The grant for a request, its session checked now rather than when a socket opens."""
    if dialect == "ga" and session.get("type") == "realtime":
        raise InvalidRequestError(
            "this server runs transcription sessions only",
            hint="send session.type 'transcription'",
            param="session.type",
        )
    life = client_secret.lifetime(seconds, state.settings.realtime_client_secret_max_seconds)
    grant = client_secret.Grant(int(time.time()) + life, dialect, session)
    try:
        config = grant.config(state.settings.realtime_max_turn_seconds)
    except EventError as exc:
        raise InvalidRequestError(exc.message, param=exc.param) from exc
    EngineDecoder(state.engine, TimeoutPolicy()).check_model(config.model)
    if config.diarize and not diarize.available():
        raise DiarizationUnavailableError(
            "speaker labels need the diarization extra, which this server lacks",
            param="session.audio.input.transcription.model",
        )
    return grant.normalized(), config


def _issue(state: ServerState, grant: client_secret.Grant) -> str:
    return client_secret.issue(grant, client_secret.signing_key(state.keys))


@router.post("/client_secrets")
def create_client_secret(
    state: StateDep, request: Annotated[SecretRequest, Body()]
) -> dict[str, object]:
    """A client secret for a transcription session, as OpenAI's ``client_secrets.create``."""
    session = {"type": "transcription"} if request.session is None else request.session
    seconds = request.expires_after.seconds if request.expires_after else None
    grant, config = _grant(state, "ga", session, seconds)
    described = describe(config, new_id("sess"), "ga")
    return {
        "value": _issue(state, grant),
        "expires_at": grant.expires_at,
        "session": {**described, "expires_at": grant.expires_at},
    }


@router.post("/transcription_sessions")
def create_transcription_session(
    state: StateDep, request: Annotated[BetaSessionRequest, Body()]
) -> dict[str, object]:
    """The beta call: a session object with ``client_secret: {value, expires_at}``."""
    session = dict(request.model_extra or {})
    expiry = request.client_secret.expires_at if request.client_secret else None
    grant, config = _grant(state, "beta", session, expiry.seconds if expiry else None)
    secret = {"value": _issue(state, grant), "expires_at": grant.expires_at}
    described = describe(config, new_id("sess"), "beta")
    return {**described, "modalities": ["text"], "client_secret": secret}
