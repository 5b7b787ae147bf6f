"""Realtime client secrets: short-lived keys for the realtime socket, bound to a session.

``POST /v1/realtime/client_secrets`` (and the older ``/v1/realtime/transcription_sessions``)
issue one to a caller holding a real API key. A browser then opens ``/v1/realtime`` with the
secret instead of the key, and its session starts with the configuration the secret was
issued for (the client may still update it). The HTTP API refuses secrets, and the socket
refuses one after it expires; a session opened in time runs on after that.

A secret carries what it grants, signed: ``ek_`` + base64url(JSON ``{exp, dialect,
session}``) + ``.`` + base64url(HMAC-SHA256 of that). The signing key is derived from the
accepted API keys, so nothing is stored: secrets hold across restarts and across replicas
with the same keys, and changing the keys revokes every secret issued under the old ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from typing import Any

from stt_engine.realtime.events import (
    BetaSessionParams,
    Dialect,
    GaSessionParams,
    SessionConfig,
    apply_beta,
    apply_ga,
)

PREFIX = "ek_"
DEFAULT_SECONDS = 600  # OpenAI's default life of a client secret
MIN_SECONDS, MAX_SECONDS = 10, 7200  # the range OpenAI accepts for expires_after.seconds
_CONTEXT = b"stt-engine realtime client secret v1\n"


class SecretRefused(Exception):
    """A presented client secret that opens nothing: malformed, forged or expired."""


@dataclass(frozen=True, slots=True)
class Grant:
    """What a secret grants: a realtime session with this configuration, until ``expires_at``."""

    expires_at: int  # seconds since the epoch
    dialect: Dialect  # the shape ``session`` is written in: "ga" or "beta"
    session: dict[str, Any]  # the session fields as the caller sent them

    def config(self, max_turn_seconds: float) -> SessionConfig:
        """The session configuration the grant binds (raises EventError when it is bad)."""
        apply = apply_beta if self.dialect == "beta" else apply_ga
        config = apply(SessionConfig(), self.session, max_turn_seconds)
        return replace(config, language=(config.language or "").lower() or None)

    def normalized(self) -> Grant:
        """The grant with only the session fields the server reads (call after ``config``)."""
        params = BetaSessionParams if self.dialect == "beta" else GaSessionParams
        session = params.model_validate(self.session).model_dump(mode="json", exclude_unset=True)
        return replace(self, session=session)


def signing_key(api_keys: frozenset[str]) -> bytes:
    """The HMAC key for the server's API keys (the same on every replica that has them)."""
    digest = hashlib.sha256(_CONTEXT)
    for key in sorted(api_keys):
        digest.update(hashlib.sha256(key.encode("utf-8")).digest())
    return digest.digest()


def lifetime(requested: int | None, ceiling: int) -> int:
    """Seconds a new secret lives: the request's (or the default), at most ``ceiling``."""
    return min(DEFAULT_SECONDS if requested is None else requested, ceiling)


def looks_like_secret(token: str) -> bool:
    return token.startswith(PREFIX)


def issue(grant: Grant, key: bytes) -> str:
    """The secret for a grant."""
    payload = {"exp": grant.expires_at, "dialect": grant.dialect, "session": grant.session}
    body = _encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{PREFIX}{body}.{_encode(_mac(key, body))}"


def redeem(secret: str, key: bytes, now: float) -> Grant:
    """The grant a secret carries; SecretRefused when it is not ours or has expired."""
    body, dot, mac = secret.removeprefix(PREFIX).partition(".")
    try:
        valid = bool(dot) and hmac.compare_digest(_decode(mac), _mac(key, body))
        payload = json.loads(_decode(body)) if valid else None
    except (ValueError, binascii.Error):
        valid = False
    if not valid or not isinstance(payload, dict):
        raise SecretRefused("invalid client secret")
    grant = Grant(int(payload["exp"]), payload["dialect"], payload["session"])
    if now >= grant.expires_at:
        raise SecretRefused("expired client secret: ask for a new one")
    return grant


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
