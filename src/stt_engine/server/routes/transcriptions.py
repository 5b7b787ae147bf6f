"""POST /v1/audio/transcriptions and /v1/audio/translations (OpenAI's multipart API).

The upload streams to a temp file, the fields become decoding options, the work waits its
turn on the scheduler, and the answer comes back whole (json, text, srt, verbose_json, vtt)
or as server-sent events (``stream=true``). The temp file is removed on every path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from stt_engine.audio import AudioStream
from stt_engine.errors import InvalidRequestError, NotReadyError, SttError, UnsupportedMediaError
from stt_engine.formats import FORMATS, answer, diarized_segment, logprob_dicts, openai_extras
from stt_engine.options import Task
from stt_engine.server import inference
from stt_engine.server.auth import CallerDep, require_key
from stt_engine.server.error_handlers import error_response
from stt_engine.server.params import TranscriptionRequest, openapi_body, parse_request
from stt_engine.server.routes.speakers import saved_voices
from stt_engine.server.state import ServerState, StateDep
from stt_engine.server.uploads import FILE_FIELD, UploadedForm, drain_body, receive_form
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo

router = APIRouter(prefix="/v1/audio", tags=["audio"], dependencies=[Depends(require_key)])

_NOT_AUDIO_TYPES = ("text", "image", "font", "model", "message", "multipart")
_NOT_AUDIO_MEDIA = (
    "application/json",
    "application/xml",
    "application/pdf",
    "application/javascript",
    "application/x-www-form-urlencoded",
)


@router.post(
    "/transcriptions",
    summary="Transcribe audio into the input language",
    openapi_extra=openapi_body("transcribe"),
)
async def transcriptions(request: Request, state: StateDep, owner: CallerDep) -> Response:
    return await _handle(request, state, "transcribe", owner)


@router.post(
    "/translations",
    summary="Translate audio into English",
    openapi_extra=openapi_body("translate"),
)
async def translations(request: Request, state: StateDep, owner: CallerDep) -> Response:
    return await _handle(request, state, "translate", owner)


async def _handle(request: Request, state: ServerState, task: Task, owner: str | None) -> Response:
    if state.readiness.starting:
        raise NotReadyError("the server is still loading its default model")
    try:
        state.scheduler.refuse_if_full()  # busy: refuse before reading and storing the upload
        form = await receive_form(request, state.upload_folder, state.settings.max_upload_bytes)
    except SttError as exc:  # the body may be partly unread: let it in (bounded), then close
        await drain_body(request, state.settings.max_upload_bytes)
        refused = error_response(exc)
        refused.headers["Connection"] = "close"
        return refused
    handed_off = False
    try:
        voices = saved_voices(state, owner)
        params = await anyio.to_thread.run_sync(parse_request, form, task, voices)
        flight = await _submit(state, form, params)
        if params.stream:
            streaming = await _stream(request, flight, form, params)
            handed_off = True  # the stream removes the upload when it ends
            return streaming
        work = inference.whole(flight)
        transcript = await inference.unless_disconnected(request.receive, flight, work)
        return render_response(transcript, params)
    finally:
        if not handed_off:
            form.discard()


async def _submit(
    state: ServerState, form: UploadedForm, params: TranscriptionRequest
) -> inference.InFlight:
    if form.path is None:
        raise InvalidRequestError(
            "no audio: send the file as the 'file' form field", param=FILE_FIELD
        )
    check_media_type(form.content_type)
    prepared = await anyio.to_thread.run_sync(state.engine.prepare, params.model, params.options)
    audio = await anyio.to_thread.run_sync(AudioStream, form.path, prepared.limits, form.filename)
    order = inference.WorkOrder(audio, prepared)
    return inference.start(state.engine, state.scheduler, state.metrics, order)


def check_media_type(content_type: str | None) -> None:
    """415 for a declared type that is plainly not audio or video; the decoder judges the rest."""
    if not content_type:
        return
    media = content_type.split(";")[0].strip().lower()
    if media.split("/")[0] in _NOT_AUDIO_TYPES or media in _NOT_AUDIO_MEDIA:
        raise UnsupportedMediaError(
            f"'{media}' is not audio or video",
            hint="send wav, flac, mp3, m4a, ogg/opus, webm or a video file with sound",
            param=FILE_FIELD,
        )


def render_response(transcript: Transcript, params: TranscriptionRequest) -> Response:
    fmt = params.response_format
    keep_segments = not params.granularities or "segment" in params.granularities
    body = answer(transcript, fmt, params.options, params.subtitles, segments=keep_segments)
    return Response(body, media_type=FORMATS[fmt].media_type)


async def _stream(
    request: Request,
    flight: inference.InFlight,
    form: UploadedForm,
    params: TranscriptionRequest,
) -> Response:
    """Wait for the transcription to start (errors keep their status), then stream events."""
    info = await inference.unless_disconnected(request.receive, flight, flight.next())
    if not isinstance(info, TranscriptionInfo):
        raise SttError("the worker finished without transcription info")
    watcher = inference.cancel_on_disconnect(request.receive, flight)
    events = _events(flight, form, watcher, _Streamed(params, info))
    first = await events.__anext__()  # started, so closing the generator runs its cleanup
    return StreamingResponse(
        _prepend(first, events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@dataclass
class _Streamed:
    """What a stream has sent so far, and what its events carry."""

    params: TranscriptionRequest
    info: TranscriptionInfo
    segments: list[Segment] = field(default_factory=list)
    text: str = ""

    def events(self, segment: Segment) -> list[dict[str, object]]:
        """A segment's events: its text delta (with its tokens' log-probabilities when asked),
        then, in a diarized stream, the segment with its speaker."""
        delta = segment.text if self.text else segment.text.lstrip()
        self.text += delta
        self.segments.append(segment)
        event: dict[str, object] = {"type": "transcript.text.delta", "delta": delta}
        if self.params.options.logprobs:
            event["logprobs"] = logprob_dicts(segment.logprobs or ())
        if not self.params.options.diarize:
            return [event]
        segment_id = f"seg_{segment.id}"
        return [{**event, "segment_id": segment_id}, diarized_segment(segment)]

    def done(self) -> dict[str, object]:
        """The closing event: the text, the audio's duration as usage, and what was asked."""
        transcript = Transcript(self.info, tuple(self.segments))
        return {
            "type": "transcript.text.done",
            "text": self.text.rstrip(),
            **openai_extras(transcript, self.params.options),
            "usage": {"type": "duration", "seconds": round(self.info.duration, 3)},
        }


async def _events(
    flight: inference.InFlight,
    form: UploadedForm,
    watcher: asyncio.Task[None],
    streamed: _Streamed,
) -> AsyncGenerator[str, None]:
    try:
        yield ": transcription started\n\n"
        while (item := await flight.next()) is not None:
            if isinstance(item, Segment):
                for event in streamed.events(item):
                    yield _sse(event)
        yield _sse(streamed.done())
    except SttError as exc:
        yield _sse(exc.to_openai())
    finally:
        watcher.cancel()
        flight.cancel()
        form.discard()


async def _prepend(first: str, rest: AsyncGenerator[str, None]) -> AsyncIterator[str]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()


def _sse(payload: Mapping[str, object]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"
