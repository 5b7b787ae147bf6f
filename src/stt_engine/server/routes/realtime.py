"""Live transcription over WebSocket: ``/v1/realtime`` (OpenAI's Realtime protocol, GA and
beta) and ``/v1/audio/stream`` (binary PCM16 in, plain JSON ``partial``/``final`` out).

Every connection is accepted first so a refusal can say why: an ``error`` event in OpenAI's
shape, then a close with a code and reason (1008 for a bad or missing key or bad query,
1013 when the session cap is reached or the model is not loaded yet). Sessions close after
``realtime_idle_timeout_seconds`` without a message and ``realtime_max_session_seconds`` in
all (1000, with the reason), and with 1008 when the client sends audio faster than it is
transcribed (``realtime_max_backlog_seconds``) or stops reading its events
(``realtime_max_pending_events``, :mod:`stt_engine.server.outgoing`). Events go out through
a bounded queue, so a session never waits on a client's network. A session speaks speakers
when its model name ends in ``-diarize`` (``gpt-4o-transcribe-diarize``); the plain stream
also takes ``?diarize=true``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

from fastapi import APIRouter, WebSocket

from stt_engine import options
from stt_engine.diarize import run as diarize
from stt_engine.engine.scheduler import TimeoutPolicy
from stt_engine.errors import InvalidRequestError, SttError
from stt_engine.realtime.decoder import EngineDecoder
from stt_engine.realtime.events import EventError, SessionConfig, diarizing
from stt_engine.realtime.input_audio import PCM_RATES, AudioFormat
from stt_engine.realtime.outbox import OpenAIOutbox, Outbox, PlainOutbox, Problem
from stt_engine.realtime.session import Session
from stt_engine.realtime.speakers import LiveSpeakers
from stt_engine.realtime.stream import Observer
from stt_engine.server import client_secret
from stt_engine.server.auth import (
    SUBPROTOCOL_KEY_PREFIX,
    key_holder,
    key_matches,
    websocket_keys,
)
from stt_engine.server.outgoing import Outgoing
from stt_engine.server.request_log import current_figures
from stt_engine.server.routes.speakers import saved_voices
from stt_engine.server.session_limits import NORMAL as _NORMAL
from stt_engine.server.session_limits import POLICY as _POLICY
from stt_engine.server.session_limits import TRY_LATER as _TRY_LATER
from stt_engine.server.session_limits import Refused, check_limits
from stt_engine.server.state import ServerState
from stt_engine.server.stopping import Stopping, receive_or_stop

router = APIRouter(tags=["realtime"])
_GOING_AWAY = 1001
_DRAIN_SECONDS = 60.0
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _subprotocol(websocket: WebSocket) -> str | None:
    offered = websocket.scope.get("subprotocols") or []
    plain = [p for p in offered if not p.startswith(SUBPROTOCOL_KEY_PREFIX)]
    return plain[0] if plain else None


def _authorize(websocket: WebSocket, state: ServerState, secrets: bool) -> SessionConfig | None:
    """Check the keys; a client secret (``secrets``: this route takes them) gives its config."""
    presented = websocket_keys(websocket.headers, websocket.scope.get("subprotocols") or [])
    real = [key for key in presented if state.keys and key_matches(key, state.keys)]
    secret = [k for k in presented if k not in real and client_secret.looks_like_secret(k)]
    if secrets and secret:
        try:
            grant = client_secret.redeem(
                secret[0], client_secret.signing_key(state.keys), time.time()
            )
            return grant.config(state.settings.realtime_max_turn_seconds)
        except (client_secret.SecretRefused, EventError) as exc:
            problem = Problem(str(exc), "invalid_api_key", type="invalid_request_error")
            raise Refused(problem, _POLICY) from exc
    if state.keys and not real:
        reason = "missing API key" if not presented else "invalid API key"
        raise Refused(Problem(reason, "invalid_api_key", type="invalid_request_error"), _POLICY)
    return None


def _admit(websocket: WebSocket, state: ServerState, secrets: bool) -> SessionConfig | None:
    """Refuse the connection (key, session cap, readiness) or give its bound configuration."""
    bound = _authorize(websocket, state, secrets)
    cap = state.settings.realtime_max_sessions
    if state.realtime_sessions >= cap:
        state.metrics.realtime_refused.labels("session_limit").inc()
        message = f"too many realtime sessions: the limit is {cap}; try again later"
        raise Refused(Problem(message, "session_limit", type="server_error"), _TRY_LATER)
    ready, reason = state.readiness.get()
    if not ready:
        raise Refused(Problem(f"not ready: {reason}", "not_ready", type="server_error"), _TRY_LATER)
    return bound


@contextlib.asynccontextmanager
async def _session_slot(
    websocket: WebSocket, out: Outgoing, secrets: bool = False
) -> AsyncIterator[tuple[ServerState, SessionConfig | None]]:
    """The admitted connection's state and the configuration its client secret binds."""
    state: ServerState = websocket.app.state.stt
    await websocket.accept(subprotocol=_subprotocol(websocket))
    try:
        bound = _admit(websocket, state, secrets)
    except Refused as refused:
        await _refuse(out, refused)
        raise
    state.realtime_sessions += 1
    state.metrics.realtime_open.inc()
    try:
        yield state, bound
    finally:
        state.realtime_sessions -= 1
        state.metrics.realtime_open.dec()


def _outgoing(websocket: WebSocket) -> Outgoing:
    state: ServerState = websocket.app.state.stt
    return Outgoing(websocket, state.settings.realtime_max_pending_events)


async def _refuse(out: Outgoing, refused: Refused) -> None:
    """The ``error`` event and the close frame (past the outgoing bound)."""
    last: dict[str, object] = {"type": "error", "error": refused.problem.body()}
    await out.close(refused.close_code, refused.problem.message, last)


def _owner(websocket: WebSocket, state: ServerState) -> str | None:
    """Whose saved voice profiles the session sees (none of a key's with a client secret)."""
    subprotocols = list(websocket.scope.get("subprotocols", ()))
    return key_holder(websocket_keys(websocket.headers, subprotocols), state.keys)


def _session(
    state: ServerState, outbox: Outbox, config: SessionConfig | None, owner: str | None = None
) -> Session:
    settings, metrics = state.settings, state.metrics
    policy = TimeoutPolicy(settings.timeout_base_seconds, settings.timeout_per_audio_second)
    figures = current_figures()  # the session's log line (request_log)

    def heard(seconds: float) -> None:
        metrics.realtime_audio.inc(seconds)
        figures.add_audio(seconds)

    observer = Observer(
        audio=heard,
        partial=metrics.realtime_partial.observe,
        completed=metrics.realtime_completed.observe,
    )
    speakers = None
    if diarize.available():
        speakers = LiveSpeakers(
            state.engine.speaker_embedder, settings.realtime_speaker_cosine,
            settings.known_speaker_cosine, saved_voices(state, owner),
        )  # fmt: skip
    return Session(
        outbox, EngineDecoder(state.engine, policy), config=config,
        partial_interval=settings.realtime_partial_interval_seconds,
        max_buffer_seconds=settings.realtime_max_buffer_seconds,
        max_turn_seconds=settings.realtime_max_turn_seconds, observer=observer,
        speakers=speakers,
    )  # fmt: skip


async def _messages(
    websocket: WebSocket, state: ServerState
) -> AsyncIterator[MutableMapping[str, Any]]:
    """Client messages until it leaves; raises Refused on the idle or total timeout and
    Stopping when the server stops."""
    settings = state.settings
    ends = time.monotonic() + settings.realtime_max_session_seconds
    while True:
        left = ends - time.monotonic()
        wait = min(settings.realtime_idle_timeout_seconds, left)
        try:
            message = await receive_or_stop(websocket, state.stopping, max(wait, 0.0))
        except TimeoutError:
            total = wait >= left
            limit = settings.realtime_max_session_seconds if total else wait
            what = "session time limit" if total else "idle timeout"
            problem = Problem(f"{what}: {limit:.0f} s", "session_timeout", type="server_error")
            raise Refused(problem, _NORMAL) from None
        if message["type"] == "websocket.disconnect":
            return
        yield message


async def _serve(
    websocket: WebSocket, state: ServerState, session: Session, out: Outgoing, plain: bool
) -> None:
    await session.start()
    try:
        async for message in _messages(websocket, state):
            if message.get("text") is not None:
                if plain and await _plain_text(session, message["text"]):
                    await out.close(_NORMAL, "end of stream")
                    return
                if not plain:
                    await session.handle(message["text"])
            elif message.get("bytes") is not None:
                await _binary(session, message["bytes"], plain)
            check_limits(session, out, state.settings)
    except Refused as refused:
        state.metrics.realtime_closed.labels(refused.problem.code).inc()
        await _refuse(out, refused)
    except Stopping:
        await session.finish(state.settings.drain_seconds)
        await out.close(_GOING_AWAY, "the server is shutting down")
    finally:
        if isinstance(session.decoder, EngineDecoder):
            session.decoder.cancel()
        await session.close()


async def _binary(session: Session, data: bytes, plain: bool) -> None:
    try:
        if not plain:
            raise EventError(
                "binary frames are not accepted here: send input_audio_buffer.append events",
                code="invalid_event",
            )
        await session.feed(session.input.decode(data))
    except EventError as exc:
        await session.outbox.error(Problem(exc.message, exc.code, exc.param), None)
    except SttError as exc:
        await session.outbox.error(Problem(exc.message, exc.code, exc.param), None)


async def _plain_text(session: Session, text: str) -> bool:
    """``{"type": "commit"}`` ends the open turn; ``{"type": "end"}`` also closes (True)."""
    with contextlib.suppress(ValueError):
        kind = json.loads(text).get("type")
        if kind in ("commit", "end"):
            with contextlib.suppress(EventError):
                await session.stream.commit()
            if kind == "end":
                await session.stream.drain(_DRAIN_SECONDS)
                return True
            return False
    problem = Problem('expected {"type": "commit"} or {"type": "end"}', "invalid_event")
    await session.outbox.error(problem, None)
    return False


@router.websocket("/v1/realtime")
async def realtime(websocket: WebSocket) -> None:
    """OpenAI's Realtime transcription protocol; ``?intent=transcription`` is accepted.

    An API key or a client secret opens it; a secret's session starts with its configuration.
    """
    out = _outgoing(websocket)
    beta = "realtime=v1" in websocket.headers.get("openai-beta", "")
    try:
        async with _session_slot(websocket, out, secrets=True) as (state, bound):
            outbox = OpenAIOutbox(out.send, "beta" if beta else "ga")
            session = _session(state, outbox, bound, _owner(websocket, state))
            await _serve(websocket, state, session, out, plain=False)
    except Refused:
        pass
    finally:
        await out.stop()


def _plain_config(websocket: WebSocket) -> SessionConfig:
    query = websocket.query_params
    rate_text = query.get("sample_rate", "16000")
    if not rate_text.isdigit() or int(rate_text) not in PCM_RATES:
        rates = ", ".join(str(r) for r in PCM_RATES)
        raise Refused(
            Problem(
                f"invalid sample_rate '{rate_text}': one of {rates}", "invalid_value", "sample_rate"
            ),
            _POLICY,
        )
    given = {name: query.getlist(name) for name in query}
    fmt = AudioFormat("pcm16", int(rate_text))
    model = query.get("model") or None
    try:  # the session's fields, read and checked as the options table reads a form
        fields: dict[str, Any] = {
            o.public: o.parse(o.form_text(given)) for o in options.on("realtime")
        }
        config = SessionConfig(
            audio_format=fmt, model=model, diarize=_plain_diarize(query, model), **fields
        )
        options.session_options(config)  # fields given together that must not be
    except InvalidRequestError as exc:
        raise Refused(Problem(exc.message, "invalid_value", exc.param), _POLICY) from exc
    return config


def _plain_diarize(query: Any, model: str | None) -> bool:
    """``diarize=true`` (or a ``-diarize`` model): speaker labels on finals, where installed."""
    text = (query.get("diarize") or "false").lower()
    if text not in _BOOLEANS:
        problem = Problem(f"invalid diarize '{text}': true or false", "invalid_value", "diarize")
        raise Refused(problem, _POLICY)
    wanted = _BOOLEANS[text] or diarizing(model)
    if wanted and not diarize.available():
        message = "speaker labels need the diarization extra, which this server lacks"
        raise Refused(Problem(message, "diarization_unavailable", "diarize"), _POLICY)
    return wanted


def _check_model(state: ServerState, name: str | None) -> None:
    try:
        EngineDecoder(state.engine, TimeoutPolicy()).check_model(name)
    except SttError as exc:
        raise Refused(Problem(exc.message, exc.code, "model"), _POLICY) from exc


@router.websocket("/v1/audio/stream")
async def audio_stream(websocket: WebSocket) -> None:
    """Binary PCM16 frames in (``?sample_rate=16000&language=ko``), JSON events out."""
    out = _outgoing(websocket)
    try:
        async with _session_slot(websocket, out) as (state, _):
            try:
                config = _plain_config(websocket)
                _check_model(state, config.model)
            except Refused as refused:
                await _refuse(out, refused)
                return
            session = _session(state, PlainOutbox(out.send), config, _owner(websocket, state))
            await _serve(websocket, state, session, out, plain=True)
    except Refused:
        pass
    finally:
        await out.stop()
