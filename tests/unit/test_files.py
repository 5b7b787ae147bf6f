"""The one atomic writer and the one file sha256 (stt_engine.files), on a real disk."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from stt_engine.files import (
    CHUNK,
    PARTIAL_SUFFIX,
    digest_stream,
    replacing,
    sha256_file,
    write_atomic,
)


def test_text_and_bytes_are_written_whole_and_replace_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "out.txt"
    write_atomic(target, "첫째\n")
    assert target.read_text(encoding="utf-8") == "첫째\n"
    write_atomic(target, b"\x00second", sync_folder=True)
    assert target.read_bytes() == b"\x00second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failed_block_keeps_the_old_file_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="cut short"), replacing(target) as partial:
        assert partial.parent == tmp_path and partial.name.endswith(PARTIAL_SUFFIX)
        partial.write_text("half")
        raise RuntimeError("cut short")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_full_disk_is_an_os_error_and_leaves_nothing(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full is not available")
    target = tmp_path / "r.json"
    partial = tmp_path / ("r.json" + PARTIAL_SUFFIX)
    partial.symlink_to("/dev/full")  # writes fail with ENOSPC
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "x" * 10_000, partial=partial)
    assert list(tmp_path.iterdir()) == []


def test_a_block_that_writes_its_own_way_is_renamed_into_place(tmp_path: Path) -> None:
    target = tmp_path / "net.onnx"
    with replacing(target) as partial:
        Path(str(partial)).write_bytes(b"model")  # as a library writing to a path would
    assert target.read_bytes() == b"model"


def test_sha256_of_a_file_over_several_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 3)  # more than two chunks
    path = tmp_path / "blob"
    path.write_bytes(data)
    seen: list[int] = []
    assert sha256_file(path, each=lambda chunk: seen.append(len(chunk))) == (
        hashlib.sha256(data).hexdigest()
    )
    assert sum(seen) == len(data) and len(seen) == 3


def test_digest_stream_continues_a_digest_and_hands_on_each_chunk() -> None:
    digest = hashlib.sha256(b"prefix\0")
    copy = io.BytesIO()
    digest_stream(io.BytesIO(b"audio bytes"), digest, each=copy.write)
    assert digest.hexdigest() == hashlib.sha256(b"prefix\0audio bytes").hexdigest()
    assert copy.getvalue() == b"audio bytes"
    assert digest_stream(io.BytesIO(b"")).hexdigest() == hashlib.sha256(b"").hexdigest()
