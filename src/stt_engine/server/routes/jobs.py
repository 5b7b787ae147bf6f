"""Durable transcription jobs: /v1/jobs (submit, list), /v1/jobs/{id} (status, cancel, result).

``POST /v1/jobs`` takes the transcription form (multipart, with the audio as ``file``) or JSON
naming a file under ``jobs_input_dir`` (``{"file": "calls/0142.flac", "language": "ko"}``),
plus ``task`` and ``webhook_url``. An ``Idempotency-Key`` header makes a retried submission
return the job the first one created. Answers 202 with the job; see docs/jobs.md.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from stt_engine import options
from stt_engine.config import Settings
from stt_engine.errors import InvalidRequestError, JobError, JobStateError, SttError
from stt_engine.formats import FORMATS, answer
from stt_engine.jobs import intake
from stt_engine.jobs.record import STATUSES, JobSpec
from stt_engine.jobs.results import read_result
from stt_engine.jobs.service import JobService
from stt_engine.jobs.targets import TargetPolicy
from stt_engine.server.auth import CallerDep, require_key
from stt_engine.server.params import parse_request
from stt_engine.server.routes.speakers import saved_voices
from stt_engine.server.state import ServerState, StateDep
from stt_engine.server.uploads import FILE_FIELD, UploadedForm, drain_body, receive_form

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], dependencies=[Depends(require_key)])

log = logging.getLogger(__name__)
_MAX_JSON_BYTES = 64 * 1024
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def start_jobs(state: ServerState) -> None:
    """Open the job store and start the workers (lifespan start; none when job_workers is 0)."""
    if state.settings.job_workers == 0:
        return
    try:
        service = JobService(state.settings, state.engine)
    except (SttError, OSError, sqlite3.Error) as exc:  # data dir held by another server
        log.error("background jobs are disabled: %s", exc)
        return
    service.start()
    state.jobs = service


async def stop_jobs(state: ServerState) -> None:
    """Stop the workers after their current step (lifespan exit, before the scheduler)."""
    if state.jobs is not None:
        await anyio.to_thread.run_sync(state.jobs.stop)
        state.jobs = None


def _service(state: ServerState) -> JobService:
    if state.jobs is None:
        raise JobError(
            "background jobs are disabled on this server",
            hint="job_workers is 0, or the data directory is unusable or held by another "
            "server (see the server log)",
        )
    return state.jobs


@router.post("", status_code=202, summary="Submit a transcription job")
async def submit(
    request: Request, state: StateDep, owner: CallerDep, key: KeyHeader = None
) -> JSONResponse:
    service = _service(state)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        spec = await _json_spec(request, state, key, owner)
    else:
        spec = await _upload_spec(request, state, key, owner)
    spec = replace(spec, owner=owner, idempotency_key=_scoped(spec.idempotency_key, owner))
    try:
        job, created = await anyio.to_thread.run_sync(service.submit, spec)
    except BaseException:
        await _drop_upload(spec)
        raise
    headers = {"Location": f"/v1/jobs/{job.id}"}
    if not created:
        headers["Idempotent-Replayed"] = "true"
        await _drop_upload(spec)
    return JSONResponse(job.to_api(), status_code=202, headers=headers)


@router.get("", summary="List jobs, newest first")
async def list_jobs(
    state: StateDep,
    owner: CallerDep,
    status: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query()] = None,
) -> dict[str, object]:
    if status is not None and status not in STATUSES:
        raise InvalidRequestError(
            f"unknown status '{status}': use one of {', '.join(STATUSES)}", param="status"
        )
    store = _service(state).store
    jobs, more = await anyio.to_thread.run_sync(store.page, status, limit, cursor, owner)
    return {
        "object": "list",
        "data": [job.to_api() for job in jobs],
        "has_more": more,
        "next_cursor": jobs[-1].id if more else None,
    }


@router.get("/{job_id}", summary="A job's status and progress")
async def get_job(job_id: str, state: StateDep, owner: CallerDep) -> dict[str, object]:
    job = await anyio.to_thread.run_sync(_service(state).store.get, job_id, owner)
    return job.to_api()


@router.delete(
    "/{job_id}",
    summary="Cancel a queued or running job (it stops at its next segment); delete an ended one",
)
async def cancel_or_delete_job(job_id: str, state: StateDep, owner: CallerDep) -> dict[str, object]:
    service = _service(state)
    job = await anyio.to_thread.run_sync(service.store.get, job_id, owner)
    if not job.ended:
        try:
            cancelled = await anyio.to_thread.run_sync(service.cancel, job_id, owner)
            return cancelled.to_api()
        except JobStateError:  # it ended meanwhile: delete it as asked
            pass
    await anyio.to_thread.run_sync(service.delete, job_id, owner)
    return {"id": job_id, "object": "transcription.job.deleted", "deleted": True}


@router.get("/{job_id}/result", summary="The transcript of a succeeded job")
async def job_result(
    job_id: str,
    state: StateDep,
    owner: CallerDep,
    format: Annotated[str, Query()] = "json",
    max_line_width: Annotated[int | None, Query()] = None,  # None: the table's default
    max_lines: Annotated[int | None, Query()] = None,
) -> Response:
    if format not in FORMATS:
        raise InvalidRequestError(
            f"unknown format '{format}': use one of {', '.join(FORMATS)}", param="format"
        )
    subtitles = options.subtitle_options({"max_line_width": max_line_width, "max_lines": max_lines})
    job = await anyio.to_thread.run_sync(_service(state).store.get, job_id, owner)
    if job.status != "succeeded" or job.result_path is None:
        raise JobStateError(f"job '{job_id}' is {job.status}; its result is not available")
    transcript = await anyio.to_thread.run_sync(read_result, Path(job.result_path))
    body = answer(transcript, format, job.options, subtitles)  # with logprobs, languages
    return Response(body, media_type=FORMATS[format].media_type)


async def _upload_spec(
    request: Request, state: ServerState, key: str | None, owner: str | None
) -> JobSpec:
    service = _service(state)
    limit = state.settings.max_upload_bytes
    try:
        form = await receive_form(request, state.upload_folder, limit)
    except SttError:  # let the client finish sending (bounded) so it reads the refusal
        await drain_body(request, limit)
        raise
    try:
        if form.path is None:
            raise InvalidRequestError(
                "no audio: send the file as the 'file' form field, or JSON naming a file in "
                "the jobs input folder",
                param=FILE_FIELD,
            )
        draft = await anyio.to_thread.run_sync(_draft, form, state, (key, owner), True)
        kept = await anyio.to_thread.run_sync(
            intake.adopt_upload, form.path, service.store.uploads_dir
        )
    finally:
        form.discard()
    return JobSpec(**{**draft, "audio_path": str(kept), "source": "upload"})


async def _json_spec(
    request: Request, state: ServerState, key: str | None, owner: str | None
) -> JobSpec:
    body = await request.body()
    if len(body) > _MAX_JSON_BYTES:
        raise InvalidRequestError(f"the JSON body is over {_MAX_JSON_BYTES // 1024} KiB")
    try:
        fields = json.loads(body)
    except ValueError as exc:
        raise InvalidRequestError(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(fields, dict) or not isinstance(fields.get(FILE_FIELD), str):
        raise InvalidRequestError(
            "the JSON body needs 'file': a path inside the jobs input folder", param=FILE_FIELD
        )
    path = intake.resolve_input(state.settings.jobs_input_dir, fields[FILE_FIELD])
    form = UploadedForm(fields={k: _as_texts(v) for k, v in fields.items() if k != FILE_FIELD})
    form.path, form.filename = path, path.name
    draft = await anyio.to_thread.run_sync(_draft, form, state, (key, owner), False)
    return JobSpec(**{**draft, "audio_path": str(path), "source": "input"})


def _draft(
    form: UploadedForm, state: ServerState, who: tuple[str | None, str | None], upload: bool
) -> dict[str, Any]:
    """The spec's fields except where the audio lives (run in a worker thread); ``who`` is
    the Idempotency-Key and the caller."""
    assert form.path is not None
    key, owner = who
    params = parse_request(form, profiles=saved_voices(state, owner))
    model = state.engine.prepare(params.model, params.options).model.name  # refused now
    webhook = _webhook_url(form.get("webhook_url"), state.settings)
    digest = intake.fingerprint(form.path, upload, model, params.options, webhook)
    return {
        "model": model,
        "options": params.options,
        "filename": form.filename or form.path.name,
        "webhook_url": webhook,
        "idempotency_key": key,
        "fingerprint": digest,
    }


async def _drop_upload(spec: JobSpec) -> None:
    """Remove the kept copy of an upload that did not become a new job."""
    if spec.source == "upload":
        await anyio.Path(spec.audio_path).unlink(missing_ok=True)


def _webhook_url(value: str | None, settings: Settings) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        url = httpx.URL(value.strip())
    except httpx.InvalidURL as exc:
        raise InvalidRequestError(f"invalid webhook_url: {exc}", param="webhook_url") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidRequestError("webhook_url must be an http or https URL", param="webhook_url")
    port = url.port or (443 if url.scheme == "https" else 80)
    TargetPolicy(tuple(settings.webhook_allow_hosts)).address(url.host, port)
    return str(url)


def _scoped(key: str | None, owner: str | None) -> str | None:
    """An Idempotency-Key as stored: one key's retries never meet another key's jobs."""
    return f"{owner}/{key}" if key is not None and owner is not None else key


def _as_texts(value: object) -> list[str]:
    """A JSON value as the form's text field(s)."""
    if isinstance(value, list):
        return [t for item in value for t in _as_texts(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [] if value is None else [str(value)]
