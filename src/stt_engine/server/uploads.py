"""Multipart uploads streamed straight to a temp file, with a size cap.

The request body is parsed as it arrives: the ``file`` part goes to a temp file in the
server's upload folder (written from a worker thread in 1 MiB batches) and reading stops with
413 as soon as it passes the cap. Other parts are small text fields. The caller owns the temp
file and must call :meth:`UploadedForm.discard` (in a ``finally``).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from stt_engine.diarize.references import MAX_REFERENCE_URL_CHARS, MAX_SPEAKERS
from stt_engine.errors import (
    AudioTooLargeError,
    InvalidRequestError,
    StorageError,
    StorageUnavailableError,
    SttError,
    UnsupportedMediaError,
)

FILE_FIELD = "file"
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 64
# fields that carry data, not words: a voice sample as a base64 data URL (at most four)
LONG_FIELDS = {
    name: MAX_REFERENCE_URL_CHARS
    for name in ("known_speaker_references[]", "known_speaker_references")
}
MAX_LONG_BYTES = MAX_SPEAKERS * MAX_REFERENCE_URL_CHARS
_FLUSH_BYTES = 1024 * 1024
_FORM_OVERHEAD = 64 * 1024  # boundaries, headers and text fields around the file


@dataclass
class UploadedForm:
    """Text fields by name (repeatable) and the uploaded file, if any."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    path: Path | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def discard(self) -> None:
        """Remove the temp file (safe to call more than once)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    content_type: str | None = None
    text: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)


class _Collector:
    """python-multipart callbacks that fill an UploadedForm."""

    def __init__(self, form: UploadedForm, folder: Path, max_bytes: int):
        self.form = form
        self._folder = folder
        self._max_bytes = max_bytes
        self._part = _Part()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._fd: int | None = None
        self.pending = bytearray()  # file bytes not yet written
        self._long_bytes = 0  # of every long field together

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._header_field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._part = _Part()

    def _header_end(self) -> None:
        self._part.headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        self._part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            self._part.filename = options[b"filename"].decode("utf-8", "replace")
            self._part.content_type = _decoded(self._part.headers.get(b"content-type"))
        if self._part.filename is not None and self._part.name == FILE_FIELD:
            if self._fd is not None:
                raise InvalidRequestError("send one file per request", param=FILE_FIELD)
            self._open_file()
        elif len(self.form.fields) >= MAX_FIELDS:
            raise InvalidRequestError(f"too many form fields (at most {MAX_FIELDS})")

    def _open_file(self) -> None:
        suffix = _safe_suffix(self._part.filename or "")
        try:
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=self._folder)
        except OSError as exc:
            raise _no_space(exc) from exc
        self._fd = fd
        self.form.path = Path(name)
        self.form.filename = self._part.filename
        self.form.content_type = self._part.content_type

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file_part():
            self.form.size += end - start
            if self.form.size > self._max_bytes:
                raise AudioTooLargeError(
                    f"the upload is over the {self._max_bytes / 1e6:.1f} MB limit",
                    hint="raise max_upload_mb, or split the recording",
                    param=FILE_FIELD,
                )
            self.pending.extend(data[start:end])
            return
        self._part.text.extend(data[start:end])
        name = self._part.name
        if len(self._part.text) > LONG_FIELDS.get(name, MAX_FIELD_BYTES):
            raise InvalidRequestError(f"form field '{name}' is too long", param=name.rstrip("[]"))
        if name in LONG_FIELDS:
            self._long_bytes += end - start
            if self._long_bytes > MAX_LONG_BYTES:
                raise InvalidRequestError(
                    f"too many known speaker references: at most {MAX_SPEAKERS}",
                    param=name.rstrip("[]"),
                )

    def _end(self) -> None:
        if self._is_file_part() or self._part.filename is not None:
            return  # stray file parts under other names are ignored
        value = self._part.text.decode("utf-8", "replace")
        self.form.fields.setdefault(self._part.name, []).append(value)

    def _is_file_part(self) -> bool:
        return self._part.filename is not None and self._part.name == FILE_FIELD

    def write_pending(self) -> None:
        """Write buffered file bytes (called from a worker thread)."""
        if self._fd is not None and self.pending:
            data = bytes(self.pending)
            self.pending.clear()
            try:
                os.write(self._fd, data)
            except OSError as exc:
                raise _no_space(exc) from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


async def receive_form(request: Request, folder: Path, max_bytes: int) -> UploadedForm:
    """Parse a multipart body into fields and a temp file; raises SttError on bad input."""
    boundary = _boundary(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _FORM_OVERHEAD:
        raise AudioTooLargeError(
            f"the upload ({int(declared) / 1e6:.1f} MB) is over the {max_bytes / 1e6:.1f} MB limit",
            hint="raise max_upload_mb, or split the recording",
            param=FILE_FIELD,
        )
    form = UploadedForm()
    collector = _Collector(form, folder, max_bytes)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            _feed(parser, chunk)
            if len(collector.pending) >= _FLUSH_BYTES:
                await anyio.to_thread.run_sync(collector.write_pending)
        request.state.body_complete = True
        parser.finalize()
        await anyio.to_thread.run_sync(collector.write_pending)
    except BaseException:
        collector.close()
        form.discard()
        raise
    collector.close()
    return form


async def drain_body(request: Request, max_bytes: int, seconds: float = 30.0) -> None:
    """Read and discard the rest of a refused body, within bounds, so the client reads the answer.

    A client still writing its body when the server answers and closes sees a reset instead
    of the refusal. A body that declares its length is let in up to four times the cap; one of
    unknown length, up to one cap more; a larger one is cut off.
    """
    if getattr(request.state, "body_complete", False):
        return
    declared = request.headers.get("content-length", "")
    budget = int(declared) if declared.isdigit() else max_bytes
    if budget > 4 * max_bytes:
        return
    drained = 0
    with anyio.move_on_after(seconds):
        while drained <= budget:
            message = await request.receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def _feed(parser: MultipartParser, chunk: bytes) -> None:
    from python_multipart.exceptions import MultipartParseError

    try:
        parser.write(chunk)
    except MultipartParseError as exc:
        raise InvalidRequestError(f"malformed multipart body: {exc}") from exc


def _no_space(exc: OSError) -> SttError:
    """The refusal for an upload the disk cannot hold (507 when full, else a plain 503)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(
            "the server has no space left for the upload",
            hint="try again later; the operator must free space in upload_dir",
        )
    return StorageUnavailableError(f"the server cannot store the upload: {exc.strerror or exc}")


def _boundary(content_type: str) -> bytes:
    media, options = parse_options_header(content_type)
    if media != b"multipart/form-data":
        raise UnsupportedMediaError(
            f"expected a multipart/form-data body, got '{content_type or 'none'}'",
            hint="send the audio as the 'file' field of a multipart form",
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise InvalidRequestError("the multipart body has no boundary")
    return boundary


def _decoded(value: bytes | None) -> str | None:
    return value.decode("latin-1").strip() if value else None


def _safe_suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
