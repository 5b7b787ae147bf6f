"""``stt-engine jobs``: submit and follow durable transcription jobs on a running server.

::

    stt-engine jobs submit call.flac --language ko --wait --format srt -o call.srt
    stt-engine jobs status job_...    stt-engine jobs list --status running
    stt-engine jobs result job_... --format vtt    stt-engine jobs cancel job_...
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
import httpx

from stt_engine.cli.flags import form_fields, table_options, table_values
from stt_engine.errors import AuthError, JobError, JobStateError, NotFoundError, SttError
from stt_engine.formats import FORMAT_NAMES

_ENDED = ("succeeded", "failed", "cancelled")
_KINDS: dict[int, type[SttError]] = {401: AuthError, 404: NotFoundError, 409: JobStateError}


class _Api:
    """The jobs API of one server; HTTP errors become SttErrors with the server's message."""

    def __init__(self, url: str, api_key: str | None, timeout: float = 60.0):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SttError(
                f"cannot reach {self.client.base_url}: {exc}",
                hint="is the server running? pass --url (or STT_ENGINE_URL)",
            ) from exc
        if response.is_success:
            return response
        raise _error(response)


def _error(response: httpx.Response) -> SttError:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text.strip() or response.reason_phrase
    kind = _KINDS.get(response.status_code, JobError)
    return kind(f"HTTP {response.status_code}: {message}")


@click.group()
@click.option("--url", envvar="STT_ENGINE_URL", default="http://localhost:8003", show_default=True)
@click.option("--api-key", envvar="STT_ENGINE_API_KEY", help="Bearer key, if the server has keys.")
@click.pass_context
def jobs(ctx: click.Context, url: str, api_key: str | None) -> None:
    """Submit and follow durable transcription jobs."""
    ctx.obj = _Api(url, api_key)


@jobs.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", help="Model name (default: the server's).")
@table_options("submit")
@click.option("--webhook-url", help="URL to POST to when the job ends.")
@click.option("--idempotency-key", help="Retrying with the same key returns the same job.")
@click.option("--wait", is_flag=True, help="Follow progress and print the result.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def submit(api: _Api, file: Path, **opts: Any) -> None:
    """Upload FILE as a job; print its id (or, with --wait, its result)."""
    fields = {"model": opts.pop("model"), "webhook_url": opts.pop("webhook_url")}
    fields.update(form_fields(table_values(opts, "submit")))
    key = opts["idempotency_key"]
    with file.open("rb") as handle:
        job = api.call(
            "POST",
            "/v1/jobs",
            files={"file": (file.name, handle)},
            data={k: v for k, v in fields.items() if v is not None},
            headers={"Idempotency-Key": key} if key else {},
        ).json()
    if not opts["wait"]:
        click.echo(job["id"])
        return
    click.echo(f"job {job['id']} submitted", err=True)
    final = _follow(api, job["id"])
    if final["status"] != "succeeded":
        error = final.get("error") or {}
        reason = error.get("message", "no reason given")
        raise JobError(f"job {final['id']} {final['status']}: {reason}")
    _emit(_result(api, final["id"], opts["fmt"]), opts["output"])


@jobs.command()
@click.argument("job_id")
@click.option("--wait", is_flag=True, help="Follow progress until the job ends.")
@click.pass_obj
def status(api: _Api, job_id: str, wait: bool) -> None:
    """Show a job as JSON."""
    job = _follow(api, job_id) if wait else api.call("GET", f"/v1/jobs/{job_id}").json()
    click.echo(json.dumps(job, indent=2, ensure_ascii=False))


@jobs.command()
@click.argument("job_id")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def result(api: _Api, job_id: str, fmt: str, output: Path | None) -> None:
    """Print (or save) the transcript of a succeeded job."""
    _emit(_result(api, job_id, fmt), output)


@jobs.command(name="list")
@click.option("--status", "state", type=click.Choice(["queued", "running", *_ENDED]))
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--cursor", help="Last id of the previous page.")
@click.pass_obj
def list_jobs(api: _Api, state: str | None, limit: int, cursor: str | None) -> None:
    """List jobs, newest first: id, status, progress, file."""
    params = {"limit": limit, "status": state, "cursor": cursor}
    page = api.call("GET", "/v1/jobs", params={k: v for k, v in params.items() if v}).json()
    for job in page["data"]:
        done = job["progress"]["fraction"] * 100
        click.echo(f"{job['id']}  {job['status']:<9}  {done:5.1f}%  {job['filename']}")
    if page["has_more"]:
        click.echo(f"more: --cursor {page['next_cursor']}", err=True)


@jobs.command()
@click.argument("job_id")
@click.pass_obj
def cancel(api: _Api, job_id: str) -> None:
    """Cancel a queued or running job."""
    job = api.call("DELETE", f"/v1/jobs/{job_id}").json()
    click.echo(f"{job['id']} {job['status']}")


def _follow(api: _Api, job_id: str, interval: float = 1.0) -> dict[str, Any]:
    """Poll until the job ends, showing a progress bar in audio seconds; the final job."""
    from tqdm import tqdm

    with tqdm(unit="s", unit_scale=False, desc=job_id[:12], leave=False) as bar:
        while True:
            job = api.call("GET", f"/v1/jobs/{job_id}").json()
            progress = job["progress"]
            if progress["seconds_total"] and bar.total != progress["seconds_total"]:
                bar.total = progress["seconds_total"]
            bar.set_postfix_str(job["status"])
            bar.update(progress["seconds_done"] - bar.n)
            if job["status"] in _ENDED:
                return dict(job)
            time.sleep(interval)


def _result(api: _Api, job_id: str, fmt: str) -> str:
    return api.call("GET", f"/v1/jobs/{job_id}/result", params={"format": fmt}).text


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text.rstrip("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
