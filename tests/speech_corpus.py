"""Where the speech corpus is: the one place every test folder asks.

The corpus is real speech with reference transcripts (``manifest.jsonl`` and the clips it names),
never copied into this repository. ``STT_ENGINE_TEST_AUDIO`` names its folder; without it the
corpus is ``../shared/audio`` beside the checkout. Tests that need it carry the ``corpus`` mark
or use the ``audio_dir`` fixture (tests/conftest.py): they skip when it is missing, and a CI run
(``CI`` set) without it fails at the start instead. ``python3 tests/speech_corpus.py`` (no
pytest needed) checks the same before a long setup: exit 1 and the reason where a run would stop.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = "STT_ENGINE_TEST_AUDIO"
GIVEN = os.environ.get(ENV, "").strip()
AUDIO = (
    Path(GIVEN).expanduser().resolve() if GIVEN else (ROOT / ".." / "shared" / "audio").resolve()
)
MANIFEST = AUDIO / "manifest.jsonl"
PRESENT = MANIFEST.is_file()
HOW = f"set {ENV}=/path/to/audio or put it at ../shared/audio beside the checkout"
MISSING = f"needs the speech corpus ({MANIFEST} is missing): {HOW}"


def describe() -> str:
    """One line: where the corpus is, and whether it is there."""
    return (
        f"speech corpus: {AUDIO} ({'found' if PRESENT else 'MISSING: the tests that need it skip'})"
    )


def require() -> None:
    """Skip the calling test when the corpus is absent (one reason: one line in the summary)."""
    import pytest

    if not PRESENT:
        pytest.skip(MISSING)


def in_ci() -> bool:
    """True when CI runs the tests (the ``CI`` variable every CI service sets)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def start_problem() -> str | None:
    """Why the run must stop before any test: a corpus that CI or the user named is absent."""
    if PRESENT:
        return None
    if GIVEN:
        return f"{ENV}={GIVEN}, but {MANIFEST} is not there: point it at the corpus folder"
    if in_ci():
        return f"CI runs every test, and the speech corpus is missing ({MANIFEST}): {HOW}"
    return None


if __name__ == "__main__":
    problem = start_problem()
    print(problem or describe(), file=sys.stderr if problem else sys.stdout)
    sys.exit(1 if problem else 0)
