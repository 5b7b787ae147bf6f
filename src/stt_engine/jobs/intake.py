"""Where a job's audio comes from: an upload the job keeps, or a file in the input folder.

Uploaded audio moves into ``<data_dir>/uploads`` and stays there until the job has ended and
its retention has passed. A JSON submission names a file under ``jobs_input_dir``; the name is
resolved (symlinks included) and refused unless it lands inside that folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from stt_engine.errors import InvalidRequestError, NotFoundError, StorageError, quoted
from stt_engine.files import digest_stream
from stt_engine.jobs.record import options_to_json
from stt_engine.options import TranscribeOptions


def resolve_input(input_dir: Path | None, name: str) -> Path:
    """The file a JSON submission names, checked to be inside the input folder."""
    if input_dir is None:
        raise InvalidRequestError(
            "jobs naming server-side files are disabled",
            hint="upload the audio as multipart form data, or set jobs_input_dir",
            param="file",
        )
    root = input_dir.resolve()
    candidate = (root / name).resolve()
    if not candidate.is_relative_to(root):
        raise InvalidRequestError(f"{quoted(name)} is outside the jobs input folder", param="file")
    if not candidate.is_file():
        raise NotFoundError(f"no file {quoted(name)} in the jobs input folder", param="file")
    return candidate


def adopt_upload(temp_path: Path, uploads_dir: Path) -> Path:
    """Move an uploaded temp file into the data directory, durably; StorageError if it cannot."""
    target = uploads_dir / f"upload-{uuid.uuid4().hex}{temp_path.suffix}"
    try:
        try:
            os.replace(temp_path, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copyfile(temp_path, target)
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise StorageError(
            f"cannot keep the upload for the job: {exc.strerror or exc}",
            hint=f"free space in the data directory {uploads_dir.parent}",
        ) from exc
    return target


def fingerprint(
    audio: Path, hash_contents: bool, model: str, options: TranscribeOptions, webhook: str | None
) -> str:
    """A digest of what a submission asks for, to tell a retry from a different request."""
    digest = hashlib.sha256()
    digest.update(f"{model}\0{options_to_json(options)}\0{webhook or ''}\0".encode())
    if hash_contents:
        with open(audio, "rb") as handle:
            digest_stream(handle, digest)
    else:
        stat = audio.stat()
        digest.update(f"{audio}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
