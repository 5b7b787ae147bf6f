"""One live transcription session: client events in, server events out.

``Session.handle(text)`` takes one client event (JSON text). A bad event (not JSON, an
unknown type, bad base64, a wrong format, an oversize append, a full buffer) is answered
with an ``error`` event naming it, and the session goes on. Audio appends are decoded from
the session's format to 16 kHz and fed to the :class:`LiveStream`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.errors import DiarizationUnavailableError, SttError
from stt_engine.realtime.denoise import Denoiser
from stt_engine.realtime.events import (
    MAX_APPEND_BYTES,
    EventError,
    SessionConfig,
    apply_beta,
    apply_ga,
)
from stt_engine.realtime.input_audio import InputDecoder
from stt_engine.realtime.outbox import OpenAIOutbox, Outbox, Problem
from stt_engine.realtime.speakers import LiveSpeakers
from stt_engine.realtime.stream import Decoder, LiveStream, Observer

Handler = Callable[[dict[str, Any]], Any]


class Session:
    """The protocol state of one connection; ``start`` first, ``close`` at the end."""

    def __init__(
        self, outbox: Outbox, decoder: Decoder, *, config: SessionConfig | None = None,
        partial_interval: float = 1.0, max_buffer_seconds: float = 60.0,
        max_turn_seconds: float = 30.0, observer: Observer | None = None,
        speakers: LiveSpeakers | None = None,
    ):  # fmt: skip
        self.outbox = outbox
        self.decoder = decoder
        self.config = config or SessionConfig()
        self.max_turn_seconds = max_turn_seconds
        self.input = InputDecoder(self.config.audio_format)
        self.denoiser = Denoiser() if self.config.noise_reduction else None
        self.stream = LiveStream(
            outbox, decoder, self.config, partial_interval=partial_interval,
            max_buffer_seconds=max_buffer_seconds, observer=observer, speakers=speakers,
        )  # fmt: skip
        if self.config.diarize:
            self._require_speakers()
        self._handlers: dict[str, Handler] = {
            "session.update": self._update_ga,
            "transcription_session.update": self._update_beta,
            "input_audio_buffer.append": self._append,
            "input_audio_buffer.commit": self._commit,
            "input_audio_buffer.clear": self._clear,
        }

    async def start(self) -> None:
        await self.outbox.session(self.config, created=True)
        if self.config.diarize and self.config.known_speaker_names:
            try:
                await self._know(self.config)
            except SttError as exc:
                await self.outbox.error(Problem(exc.message, exc.code, exc.param), None)

    async def _know(self, config: SessionConfig) -> None:
        """Give the session's speakers its known voices (errors name the field)."""
        if self.stream.speakers is None:
            return
        names = tuple(config.known_speaker_names or ())
        await self.stream.speakers.know(names, tuple(config.known_speaker_references or ()))

    async def close(self) -> None:
        await self.stream.close()
        if self.denoiser is not None:
            self.denoiser.close()

    async def finish(self, timeout: float) -> None:
        """The server is stopping: commit the turn in progress and wait (up to ``timeout``)
        for every committed turn's final."""
        if self.stream.turn_in_progress():
            with contextlib.suppress(EventError):
                await self.stream.commit()
        await self.stream.drain(timeout)

    async def handle(self, text: str) -> None:
        """Handle one client event; answer a bad one with an ``error`` event."""
        event_id: str | None = None
        try:
            event = _parse(text)
            event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
            handler = self._handlers.get(event.get("type"))  # type: ignore[arg-type]
            if handler is None:
                raise EventError(
                    f"invalid event type '{event.get('type')}': expected one of "
                    + ", ".join(sorted(self._handlers)),
                    code="invalid_event_type",
                    param="type",
                )
            await handler(event)
        except EventError as exc:
            await self.outbox.error(Problem(exc.message, exc.code, exc.param), event_id)
        except SttError as exc:
            await self.outbox.error(Problem(exc.message, exc.code, exc.param), event_id)

    async def feed(self, audio: np.ndarray) -> None:
        """16 kHz audio straight in (the plain stream's binary frames)."""
        if self.stream.buffer_full(audio.size):
            raise EventError(_full(self.stream), code="input_audio_buffer_full")
        if self.denoiser is not None:
            audio = self.denoiser.process(audio)
        await self.stream.feed(audio)

    async def _update_ga(self, event: dict[str, Any]) -> None:
        await self._update(apply_ga(self.config, event.get("session"), self.max_turn_seconds), "ga")

    async def _update_beta(self, event: dict[str, Any]) -> None:
        new = apply_beta(self.config, event.get("session"), self.max_turn_seconds)
        await self._update(new, "beta")

    async def _update(self, config: SessionConfig, dialect: str) -> None:
        if config.model != self.config.model:
            self.decoder.check_model(config.model)
        self._denoise(bool(config.noise_reduction))
        if config.diarize and not self.config.diarize:
            self._require_speakers()
        if config.diarize and (not self.config.diarize or _known(config) != _known(self.config)):
            await self._know(config)
        if config.language is not None:
            config = _lower_language(config)
        if config.audio_format != self.config.audio_format:
            self.input = InputDecoder(config.audio_format)
        self.config = config
        self.stream.reconfigure(config)
        if isinstance(self.outbox, OpenAIOutbox):
            self.outbox.dialect = "beta" if dialect == "beta" else "ga"
        await self.outbox.session(config, created=False)

    def _denoise(self, wanted: bool) -> None:
        """Start or stop the session's denoiser (one filter for near_field and far_field)."""
        if wanted and self.denoiser is None:
            self.denoiser = Denoiser()  # raises noise_reduction_unavailable without the extra
        elif not wanted and self.denoiser is not None:
            self.denoiser.close()
            self.denoiser = None

    def _require_speakers(self) -> None:
        """Refuse speaker labels where the diarization extra is missing; else warm it up."""
        if self.stream.speakers is None:
            raise DiarizationUnavailableError(
                "speaker labels need the diarization extra, which this server lacks",
                hint="install stt-engine[diarize] on the server, or use a model name "
                "without '-diarize'",
                param="session.audio.input.transcription.model",
            )
        self.stream.speakers.warm()

    async def _append(self, event: dict[str, Any]) -> None:
        audio = event.get("audio")
        if not isinstance(audio, str):
            raise EventError(
                "missing 'audio': base64 audio bytes", code="invalid_value", param="audio"
            )
        if len(audio) > MAX_APPEND_BYTES:
            raise EventError(
                f"audio is {len(audio)} bytes of base64; at most {MAX_APPEND_BYTES} per event",
                code="audio_too_large",
                param="audio",
            )
        try:
            data = base64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EventError(
                "audio is not valid base64", code="invalid_value", param="audio"
            ) from exc
        samples = self.input.decode(data)
        await self.feed(samples)

    async def _commit(self, event: dict[str, Any]) -> None:
        await self.stream.commit()

    async def _clear(self, event: dict[str, Any]) -> None:
        await self.stream.clear()


def _parse(text: str) -> dict[str, Any]:
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise EventError(f"the event is not valid JSON: {exc}", code="invalid_json") from exc
    if not isinstance(event, dict):
        raise EventError("the event must be a JSON object", code="invalid_event")
    return event


def _known(config: SessionConfig) -> tuple[object, ...]:
    return (config.known_speaker_names, config.known_speaker_references)


def _lower_language(config: SessionConfig) -> SessionConfig:
    from dataclasses import replace

    return replace(config, language=(config.language or "").lower() or None)


def _full(stream: LiveStream) -> str:
    limit = stream.max_buffer_samples / SAMPLE_RATE
    return (
        f"the input audio buffer is full ({limit:.0f} s); commit or clear it, or turn on server_vad"
    )
