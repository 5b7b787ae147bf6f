"""Without the speech corpus the tests that need it skip (one summary line), except in CI.

Each case runs pytest in a subprocess on a copy of tests/conftest.py and tests/speech_corpus.py
in a temp checkout that has no ../shared beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SAMPLE = """
import pytest

@pytest.mark.corpus
def test_marked():
    pass

@pytest.fixture
def clip(audio_dir):
    return audio_dir / "a.flac"

def test_through_a_fixture(clip):
    assert clip.parent.joinpath("manifest.jsonl").is_file()

def test_without_the_corpus():
    pass
"""
INI = """[pytest]
addopts = -ra --strict-markers -p no:cacheprovider
markers =
    corpus: needs the speech corpus
"""


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    checkout = tmp_path / "lonely" / "repo"
    (checkout / "tests").mkdir(parents=True)
    for name in ("conftest.py", "speech_corpus.py"):
        shutil.copy(TESTS / name, checkout / "tests" / name)
    (checkout / "tests" / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    (checkout / "pytest.ini").write_text(INI, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "STT_ENGINE_TEST_AUDIO")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests"],
        cwd=checkout,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_corpus_skips_what_needs_it_with_one_line(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 skipped" in result.stdout
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("SKIPPED")]
    assert line.startswith("SKIPPED [2]")
    assert "speech corpus" in line and "STT_ENGINE_TEST_AUDIO=" in line
    assert "../shared/audio" in line


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_corpus_stops_a_ci_run(tmp_path: Path, ci: str) -> None:
    result = _run(tmp_path, CI=ci)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "CI runs every test, and the speech corpus is missing" in result.stdout
    assert "STT_ENGINE_TEST_AUDIO=" in result.stdout
    assert "passed" not in result.stdout


def test_a_named_folder_without_a_manifest_stops_the_run(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run(tmp_path, STT_ENGINE_TEST_AUDIO=str(empty), CI="false")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert f"STT_ENGINE_TEST_AUDIO={empty}, but" in result.stdout


def test_the_named_corpus_is_used(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.jsonl").write_text("", encoding="utf-8")
    result = _run(tmp_path, STT_ENGINE_TEST_AUDIO=str(corpus), CI="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    assert f"speech corpus: {corpus.resolve()} (found)" in result.stdout
