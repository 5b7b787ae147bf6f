"""GET /docs: an offline API page (no CDN: the server is air-gapped) reading /openapi.json."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs_page() -> HTMLResponse:
    page = resources.files("stt_engine.server").joinpath("web/docs.html").read_text("utf-8")
    return HTMLResponse(page)
