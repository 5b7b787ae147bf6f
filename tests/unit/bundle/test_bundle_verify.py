"""verify names every corrupt, truncated, missing or extra file, in folders and archives."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from stt_engine.bundle import archive
from stt_engine.bundle.manifest import MANIFEST_NAME, SUMS_NAME, write_manifest
from stt_engine.bundle.verify import verify, verify_archive, verify_folder
from stt_engine.errors import BundleIntegrityError

META = {"version": "0.1.0", "flavour": "cpu", "target": {"python": "3.11"}}


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    root = tmp_path / "stt-engine-bundle-0.1.0-cpu"
    (root / "wheels").mkdir(parents=True)
    (root / "models" / "base").mkdir(parents=True)
    (root / "wheels" / "demo-1.0-py3-none-any.whl").write_bytes(b"PK" + bytes(range(256)) * 40)
    (root / "models" / "base" / "model.bin").write_bytes(b"\x01\x02" * 5000)
    (root / "install.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "install.sh").chmod(0o755)
    write_manifest(root, META)
    return root


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_intact_folder_verifies(bundle: Path) -> None:
    report = verify_folder(bundle)
    assert report.ok, report.problems
    assert report.manifest["version"] == "0.1.0"
    listed = set(report.manifest["files"])
    assert {"install.sh", SUMS_NAME, "models/base/model.bin"} <= listed
    assert MANIFEST_NAME not in listed


def test_sha256sums_matches_sha256sum_tool(bundle: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not installed")
    result = subprocess.run(
        ["sha256sum", "-c", SUMS_NAME], cwd=bundle, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_flipped_byte_is_named(bundle: Path) -> None:
    _flip_byte(bundle / "models" / "base" / "model.bin", 1234)
    assert verify_folder(bundle).problems == [
        "models/base/model.bin: sha256 mismatch (corrupt or modified)"
    ]


def test_truncated_file_is_named(bundle: Path) -> None:
    wheel = bundle / "wheels" / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes()[:100])
    [problem] = verify_folder(bundle).problems
    assert problem.startswith("wheels/demo-1.0-py3-none-any.whl: truncated (100 bytes")


def test_missing_file_is_named(bundle: Path) -> None:
    (bundle / "install.sh").unlink()
    assert verify_folder(bundle).problems == ["install.sh: missing"]


def test_extra_file_is_named(bundle: Path) -> None:
    (bundle / "wheels" / "intruder-9.9-py3-none-any.whl").write_bytes(b"x")
    assert verify_folder(bundle).problems == [
        "wheels/intruder-9.9-py3-none-any.whl: extra file, not in the manifest"
    ]


def test_folder_without_manifest_is_refused(bundle: Path) -> None:
    (bundle / MANIFEST_NAME).unlink()
    with pytest.raises(BundleIntegrityError, match="manifest.json: missing"):
        verify_folder(bundle)


def test_manifest_that_is_not_json_is_refused(bundle: Path) -> None:
    (bundle / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(BundleIntegrityError, match="not valid JSON"):
        verify_folder(bundle)


def _pack(bundle: Path) -> Path:
    return archive.pack(bundle, bundle.parent / (bundle.name + archive.SUFFIX))


def test_intact_archive_verifies_and_keeps_modes(bundle: Path, tmp_path: Path) -> None:
    packed = _pack(bundle)
    report = verify_archive(packed)
    assert report.ok, report.problems
    out = tmp_path / "unpacked"
    out.mkdir()
    subprocess.run(["tar", "-xzf", str(packed), "-C", str(out)], check=True)
    unpacked = out / bundle.name
    assert verify_folder(unpacked).ok
    assert (unpacked / "install.sh").stat().st_mode & 0o111


def test_archive_with_flipped_member_is_named(bundle: Path) -> None:
    _flip_byte(bundle / "install.sh", 3)  # changed after the manifest was written
    report = verify_archive(_pack(bundle))
    assert report.problems == ["install.sh: sha256 mismatch (corrupt or modified)"]


def test_truncated_archive_names_where_it_stops(bundle: Path) -> None:
    packed = _pack(bundle)
    raw = gzip.decompress(packed.read_bytes())
    # cut inside the model weights (the largest member) and recompress a valid gzip stream
    cut = raw.index(b"\x01\x02" * 100) + 500
    packed.write_bytes(gzip.compress(raw[:cut]))
    [problem] = verify_archive(packed).problems
    assert "models/base/model.bin" in problem
    assert "truncated" in problem


def test_cut_gzip_stream_is_reported(bundle: Path) -> None:
    packed = _pack(bundle)
    data = packed.read_bytes()
    packed.write_bytes(data[: len(data) // 2])
    report = verify_archive(packed)
    assert len(report.problems) == 1
    assert "truncated or corrupt" in report.problems[0]


def test_archive_without_manifest_is_refused(tmp_path: Path) -> None:
    packed = tmp_path / "not-a-bundle.tar.gz"
    packed.write_bytes(gzip.compress(b"\0" * 1024))
    with pytest.raises(BundleIntegrityError, match="no manifest.json"):
        verify_archive(packed)


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleIntegrityError, match="no such file or folder"):
        verify(tmp_path / "nope.tar.gz", host=False)


def test_host_check_refuses_other_python(bundle: Path) -> None:
    manifest = json.loads((bundle / MANIFEST_NAME).read_text())
    manifest["target"] = {"python": "3.9", "platform": "manylinux_2_28_x86_64"}
    (bundle / MANIFEST_NAME).write_text(json.dumps(manifest))
    report = verify(bundle, host=True)
    assert any("Python 3.9" in p for p in report.target_problems)
    assert report.notes and report.notes[0].startswith("doctor: ")
