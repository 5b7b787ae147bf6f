"""The server's log forms (logs.py) and the request middleware's own 500 (request_log.py)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import logging.config
import sys

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from stt_engine.server.logs import JsonFormatter, log_config
from stt_engine.server.request_log import RequestFigures, RequestLogMiddleware, request_id


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("stt_engine.requests", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_the_record_and_its_fields() -> None:
    fields = {"request_id": "req_1", "status": 200, "rtf": 0.05, "message": "not this"}
    line = JsonFormatter().format(_record("request_id=req_1 status=200", fields=fields))
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "stt_engine.requests"
    assert entry["message"] == "request_id=req_1 status=200"  # a field never hides the message
    assert entry["request_id"] == "req_1" and entry["status"] == 200 and entry["rtf"] == 0.05
    assert entry["time"].endswith("+00:00") and "\n" not in line


def test_a_json_line_carries_the_traceback() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in entry["exception"]


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_config_sends_uvicorn_and_the_package_through_one_form(form: str) -> None:
    config = log_config(form, "info")
    assert config["loggers"]["stt_engine"]["level"] == "INFO"
    formatter = config["formatters"]["main"]
    assert ("()" in formatter) == (form == "json")
    stream = io.StringIO()
    config["handlers"]["main"]["stream"] = stream
    del config["root"]
    for name in ("uvicorn", "uvicorn.access"):
        config["loggers"][name]["propagate"] = False
    logging.config.dictConfig(config)
    try:
        logging.getLogger("uvicorn.error").info("hello %s", "there")
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        logging.getLogger("uvicorn").handlers.clear()
    out = stream.getvalue().strip()
    if form == "json":
        assert json.loads(out)["message"] == "hello there"
    else:
        assert out.endswith("INFO uvicorn.error: hello there")


def test_figures_give_the_real_time_factor() -> None:
    figures = RequestFigures(audio_seconds=10.0, processing_seconds=0.5, queue_wait_seconds=0.25)
    assert figures.fields() == {"audio_seconds": 10.0, "rtf": 0.05, "queue_wait_seconds": 0.25}
    assert RequestFigures(audio_seconds=0.0, processing_seconds=1.0).fields() == {
        "audio_seconds": 0.0
    }
    assert request_id("ok-1") == "ok-1" and request_id("é") != "é"


async def _broken(request: Request) -> None:
    raise RuntimeError("a bug")


def test_an_unhandled_error_is_a_500_with_the_id(caplog: pytest.LogCaptureFixture) -> None:
    middleware = [Middleware(RequestLogMiddleware, stopping=lambda: False)]  # as create_app's
    app = Starlette(routes=[Route("/broken", _broken)], middleware=middleware)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/broken", headers={"X-Request-Id": "bug-1"})

    answer = asyncio.run(call())
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "bug-1"
    assert answer.json()["request_id"] == "bug-1"
    assert answer.json()["error"]["code"] == "internal_error"
    assert any("bug-1" in r.getMessage() and r.exc_info for r in caplog.records)
