"""Optional Bearer API keys: open when no keys are configured, constant-time compare.

The HTTP API takes API keys only; a realtime client secret (``ek_...``) opens the realtime
socket and nothing else (routes/realtime.py).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from stt_engine.errors import AuthError
from stt_engine.server.client_secret import looks_like_secret
from stt_engine.server.state import StateDep

SUBPROTOCOL_KEY_PREFIX = "openai-insecure-api-key."


def key_matches(presented: str, accepted: frozenset[str]) -> bool:
    """Compare against every key, without stopping early, so timing tells nothing."""
    given = presented.encode("utf-8")
    found = False
    for key in accepted:
        found |= hmac.compare_digest(given, key.encode("utf-8"))
    return found


def websocket_keys(headers: Mapping[str, str], subprotocols: list[str]) -> list[str]:
    """The keys a WebSocket client presents: Bearer header, then the browsers' subprotocol
    (a reverse proxy may add the header while the page sends a client secret)."""
    found = []
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        found.append(token.strip())
    for protocol in subprotocols:
        if protocol.startswith(SUBPROTOCOL_KEY_PREFIX):
            found.append(protocol.removeprefix(SUBPROTOCOL_KEY_PREFIX))
            break
    return found


def require_key(request: Request, state: StateDep) -> None:
    """FastAPI dependency for protected routes."""
    if not state.keys:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing API key", hint="send the header 'Authorization: Bearer <key>'")
    if key_matches(token.strip(), state.keys):
        return
    if looks_like_secret(token.strip()):
        raise AuthError(
            "a realtime client secret is not an API key",
            hint="client secrets open the realtime WebSocket /v1/realtime only; "
            "send an API key to the HTTP API",
        )
    raise AuthError("invalid API key")


def caller(request: Request, state: StateDep) -> str | None:
    """Who is calling, for what they own: a digest of their key (None when keys are off).

    The key itself is never stored; two keys never share a digest.
    """
    if not state.keys:
        return None
    return key_owner(request.headers.get("authorization", "").partition(" ")[2].strip())


def key_holder(presented: list[str], accepted: frozenset[str]) -> str | None:
    """The owner digest of the first presented key that is accepted; None without keys."""
    return next((key_owner(k) for k in presented if accepted and key_matches(k, accepted)), None)


def key_owner(token: str) -> str:
    """The digest that stands for an API key in what it owns (jobs, voice profiles)."""
    return "key:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


CallerDep = Annotated[str | None, Depends(caller)]
