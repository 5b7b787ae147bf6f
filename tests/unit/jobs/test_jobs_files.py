"""Results on disk, where audio may come from, and webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest

from stt_engine.engine import TranscribeOptions
from stt_engine.errors import InvalidRequestError, NotFoundError, StorageError
from stt_engine.jobs import intake
from stt_engine.jobs.results import read_result, remove_partials, write_result
from stt_engine.jobs.webhooks import backoff_seconds, sign, verify
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo, Word

TRANSCRIPT = Transcript(
    info=TranscriptionInfo("ko", 0.98, 12.5, 11.0, redact=("email", "phone")),
    segments=(
        Segment(0, 0, 0.0, 4.2, " 안녕하세요.", tokens=(1, 2), avg_logprob=-0.2),
        Segment(
            1,
            420,
            4.2,
            9.9,
            " 반갑습니다.",
            words=(Word(" 반갑습니다.", 4.3, 9.8, 0.91),),
            redactions=(("phone", 2),),
        ),
    ),
)


def test_result_round_trips_every_field(tmp_path: Path) -> None:
    path = write_result(tmp_path, "job_1", TRANSCRIPT)
    assert path == tmp_path / "job_1.json"
    assert read_result(path) == TRANSCRIPT
    assert not list(tmp_path.glob("*.partial"))


def test_a_full_disk_is_a_storage_error_and_leaves_nothing(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full is not available")
    (tmp_path / "job_2.json.partial").symlink_to("/dev/full")  # writes fail with ENOSPC
    with pytest.raises(StorageError, match="No space left on device"):
        write_result(tmp_path, "job_2", TRANSCRIPT)
    assert list(tmp_path.iterdir()) == []


def test_partials_are_removed(tmp_path: Path) -> None:
    (tmp_path / "job_3.json.partial").write_text("{")
    (tmp_path / "job_4.json").write_text("{}")
    remove_partials(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["job_4.json"]


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "calls").mkdir(parents=True)
    (folder / "calls" / "a.flac").write_bytes(b"x")
    (tmp_path / "secret.flac").write_bytes(b"s")
    return folder


def test_a_file_inside_the_input_folder_resolves(inputs: Path) -> None:
    assert intake.resolve_input(inputs, "calls/a.flac") == (inputs / "calls/a.flac").resolve()
    assert intake.resolve_input(inputs, "calls/../calls/a.flac").name == "a.flac"


@pytest.mark.parametrize("name", ["../secret.flac", "calls/../../secret.flac", "/etc/passwd"])
def test_paths_outside_the_input_folder_are_refused(inputs: Path, name: str) -> None:
    with pytest.raises(InvalidRequestError, match="outside the jobs input folder"):
        intake.resolve_input(inputs, name)


def test_a_symlink_leading_out_is_refused(inputs: Path) -> None:
    (inputs / "link.flac").symlink_to(inputs.parent / "secret.flac")
    with pytest.raises(InvalidRequestError, match="outside"):
        intake.resolve_input(inputs, "link.flac")


def test_missing_file_and_disabled_folder(inputs: Path) -> None:
    with pytest.raises(NotFoundError):
        intake.resolve_input(inputs, "calls/none.flac")
    with pytest.raises(NotFoundError):
        intake.resolve_input(inputs, "calls")  # a folder is not a file
    with pytest.raises(InvalidRequestError, match="disabled"):
        intake.resolve_input(None, "calls/a.flac")


def test_adopted_upload_moves_into_the_data_directory(tmp_path: Path) -> None:
    temp = tmp_path / "upload-x.flac"
    temp.write_bytes(b"audio")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    kept = intake.adopt_upload(temp, uploads)
    assert kept.parent == uploads and kept.suffix == ".flac" and kept.read_bytes() == b"audio"
    assert not temp.exists()


def test_fingerprint_tells_requests_apart(tmp_path: Path) -> None:
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"one")
    ko, en = TranscribeOptions(language="ko"), TranscribeOptions(language="en")
    base = intake.fingerprint(audio, True, "base", ko, None)
    assert base == intake.fingerprint(audio, True, "base", ko, None)
    assert base != intake.fingerprint(audio, True, "base", en, None)
    assert base != intake.fingerprint(audio, True, "base", ko, "http://h/x")
    audio.write_bytes(b"two")
    assert base != intake.fingerprint(audio, True, "base", ko, None)


def test_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"type": "job.succeeded"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign(body, "s3cret") == f"sha256={expected}"
    assert verify(body, "s3cret", f"sha256={expected}")
    assert not verify(body + b" ", "s3cret", f"sha256={expected}")
    assert not verify(body, "other", f"sha256={expected}")
    assert not verify(body, "s3cret", None)


def test_backoff_doubles() -> None:
    assert [backoff_seconds(n, 0.5) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]


def test_no_temp_files_linger(tmp_path: Path) -> None:
    write_result(tmp_path, "job_5", TRANSCRIPT)
    assert sorted(os.listdir(tmp_path)) == ["job_5.json"]
