"""Packages installed outside site-packages (pip --target folders on PYTHONPATH) are seen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stt_engine.doctor.probe import default_site_dirs


def test_a_target_folder_on_sys_path_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    (target / "ctranslate2-4.8.5.dist-info").mkdir(parents=True)
    (target / "ctranslate2-4.8.5.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ctranslate2\nVersion: 4.8.5\n"
    )
    plain = tmp_path / "just-code"
    plain.mkdir()
    monkeypatch.setattr(sys, "path", [str(plain), str(target), *sys.path])
    dirs = default_site_dirs()
    assert str(target) in dirs and str(plain) not in dirs
