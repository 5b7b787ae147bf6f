"""`stt-engine bundle verify` exit codes: 0 intact, 13 a named bad file, 12 another target."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from stt_engine.bundle.manifest import MANIFEST_NAME, write_manifest
from stt_engine.cli import cli


def _bundle(root: Path) -> Path:
    (root / "wheels").mkdir(parents=True)
    (root / "wheels" / "demo-1.0-py3-none-any.whl").write_bytes(b"PK" * 500)
    write_manifest(root, {"version": "0.1.0", "flavour": "cpu", "target": {"python": "3.11"}})
    return root


def test_intact_bundle_exits_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["bundle", "verify", "--no-host-check", str(_bundle(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    assert "ok: every file matches the manifest" in result.output


def test_corrupt_file_is_named_with_exit_13(tmp_path: Path) -> None:
    root = _bundle(tmp_path)
    (root / "wheels" / "demo-1.0-py3-none-any.whl").write_bytes(b"PK" * 499 + b"XX")
    result = CliRunner().invoke(cli, ["bundle", "verify", "--no-host-check", str(root)])
    assert result.exit_code == 13
    assert "wheels/demo-1.0-py3-none-any.whl: sha256 mismatch" in result.output
    assert "1 file problem(s)" in result.output


def test_other_target_exits_12(tmp_path: Path) -> None:
    root = _bundle(tmp_path)
    manifest = json.loads((root / MANIFEST_NAME).read_text())
    manifest["target"] = {"python": "3.2", "platform": "manylinux_2_17_x86_64"}
    (root / MANIFEST_NAME).write_text(json.dumps(manifest))
    result = CliRunner().invoke(cli, ["bundle", "verify", str(root)])
    assert result.exit_code == 12
    assert "bundle is for Python 3.2" in result.output
    assert "does not fit this machine" in result.output


def test_missing_path_exits_13(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["bundle", "verify", str(tmp_path / "nope.tar.gz")])
    assert result.exit_code == 13
    assert "no such file or folder" in result.output
