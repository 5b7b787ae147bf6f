"""One shape for every error the server returns: OpenAI's error object with the right status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from stt_engine.errors import BusyError, NotReadyError, SttError

log = logging.getLogger(__name__)

_HTTP_CODES = {401: "invalid_api_key", 404: "not_found", 405: "method_not_allowed"}


def error_response(error: SttError) -> JSONResponse:
    headers = {}
    if isinstance(error, BusyError):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, NotReadyError):
        headers["Retry-After"] = "5"
    return JSONResponse(error.to_openai(), status_code=error.http_status, headers=headers)


async def _stt_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SttError)
    if exc.http_status >= 500:
        log.warning("%s: %s", exc.code, exc.message)
    return error_response(exc)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
    param = ".".join(location) or None
    message = f"invalid {param or 'request'}: {first.get('msg', 'validation failed')}"
    body = {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": "invalid_request_error",
        }
    }
    return JSONResponse(body, status_code=400)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    error_type = "server_error" if exc.status_code >= 500 else "invalid_request_error"
    body = {"error": {"message": str(exc.detail), "type": error_type, "param": None, "code": code}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    """The client left mid-request (or was cut off as too slow): nothing to answer, no bug."""
    log.info("client disconnected during %s %s", request.method, request.url.path)
    body = {"error": {"message": "client disconnected", "type": "invalid_request_error",
                      "param": None, "code": "client_disconnected"}}  # fmt: skip
    return JSONResponse(body, status_code=400)


async def _bug(_: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return error_response(SttError(f"internal error: {type(exc).__name__}"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(SttError, _stt_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ClientDisconnect, _gone)
    app.add_exception_handler(Exception, _bug)
