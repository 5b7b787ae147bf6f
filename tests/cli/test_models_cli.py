"""`stt-engine models list` and `models verify` through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "stt_engine.cli", "models"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def _folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "model.bin").write_bytes(b"\x01" * 4096)
    (root / "config.json").write_text("{}")
    (root / "vocabulary.txt").write_text("a\nb\n")
    return root


def test_list_shows_packaged_and_folder_models(tmp_path: Path) -> None:
    _folder(tmp_path / "large-v3-turbo")
    rows = json.loads(_run("list", "--models-dir", str(tmp_path), "--json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["base"]["source"] == "package" and by_name["base"]["default"] is True
    assert by_name["base"]["languages"] == "multilingual"
    assert by_name["tiny.en"]["languages"] == "en"
    assert by_name["large-v3-turbo"]["source"] == "models_dir"
    table = _run("list", "--models-dir", str(tmp_path)).stdout
    assert "base *" in table and "large-v3-turbo" in table


def test_verify_records_then_catches_corruption(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "mine")
    no_manifest = _run("verify", "mine", "--models-dir", str(tmp_path))
    assert no_manifest.returncode == 4 and "no stt-engine-model.json" in no_manifest.stderr
    assert _run("verify", "mine", "--models-dir", str(tmp_path), "--write-manifest").returncode == 0
    with (folder / "model.bin").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x02")
    broken = _run("verify", "mine", "--models-dir", str(tmp_path))
    assert broken.returncode == 4 and "model.bin: sha256 mismatch" in broken.stderr


def test_verify_packaged_default() -> None:
    result = _run("verify", "whisper-1")
    assert result.returncode == 0 and result.stdout.startswith("ok: base (package")
