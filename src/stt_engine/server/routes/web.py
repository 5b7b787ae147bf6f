"""The web page at ``/``: static HTML, CSS and ES modules shipped in the package (no CDN).

``/`` answers the page, ``/web/...`` its assets, and ``/web/config.json`` what the page needs
to know before its first API call (whether a key is required, when a file becomes a job).
None of these need a key: the page asks for one when the server does.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from stt_engine import __version__
from stt_engine.diarize import run as diarize
from stt_engine.server.state import StateDep

router = APIRouter(include_in_schema=False)
_PACKAGE = ("stt_engine.server", "web")


@router.get("/")
def index() -> HTMLResponse:
    page = resources.files(_PACKAGE[0]).joinpath(f"{_PACKAGE[1]}/index.html").read_text("utf-8")
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


@router.get("/web/config.json")
def web_config(state: StateDep) -> dict[str, object]:
    settings = state.settings
    return {
        "version": __version__,
        "key_required": bool(state.keys),
        "job_seconds": settings.web_job_seconds,
        "jobs_enabled": settings.job_workers > 0,
        "max_upload_bytes": settings.max_upload_bytes,
        "max_audio_seconds": settings.max_audio_seconds,
        "default_model": settings.default_model,
        "diarize": diarize.available(),
    }


def mount(app: FastAPI) -> None:
    """The page's routes and its static assets (after the API routes, so none is shadowed)."""
    app.include_router(router)
    app.mount("/web", StaticFiles(packages=[_PACKAGE]), name="web")
