"""The DER scorer: missed speech, false alarms, confusion, the collar and the mapping."""

from __future__ import annotations

import pytest

from stt_engine.bench.der import score
from stt_engine.diarize.turns import SpeakerTurn as T

REF = [T(0, 10, "a"), T(10, 20, "b")]


def test_perfect_with_other_names_is_zero() -> None:
    result = score(REF, [T(0, 10, "x"), T(10, 20, "y")], collar=0)
    assert result.der == 0.0 and result.scored == pytest.approx(20)


def test_confusion_under_the_best_mapping() -> None:
    result = score(REF, [T(0, 20, "x")], collar=0)  # one speaker for both
    assert result.confusion == pytest.approx(10)
    assert result.der == pytest.approx(0.5)
    assert (result.reference_speakers, result.system_speakers) == (2, 1)


def test_missed_and_false_alarm() -> None:
    result = score(REF, [T(0, 8, "x"), T(10, 22, "y")], collar=0)
    assert result.missed == pytest.approx(2)
    assert result.false_alarm == pytest.approx(2)
    assert result.confusion == pytest.approx(0)
    assert result.der == pytest.approx(0.2)


def test_collar_forgives_boundary_errors() -> None:
    system = [T(0, 10.2, "x"), T(10.2, 20, "y")]  # the change 0.2 s late
    assert score(REF, system, collar=0).der == pytest.approx(0.2 / 20)
    assert score(REF, system, collar=0.25).der == 0.0


def test_collar_does_not_forgive_far_errors() -> None:
    system = [T(0, 11, "x"), T(11, 20, "y")]
    assert score(REF, system, collar=0.25).confusion == pytest.approx(0.75)


def test_overlapping_reference_speech_counts_twice() -> None:
    ref = [T(0, 10, "a"), T(5, 10, "b")]
    result = score(ref, [T(0, 10, "x")], collar=0)
    assert result.scored == pytest.approx(15)
    assert result.missed == pytest.approx(5)


def test_extra_system_speakers_are_confusion() -> None:
    system = [T(0, 5, "x"), T(5, 10, "z"), T(10, 20, "y")]
    assert score(REF, system, collar=0).confusion == pytest.approx(5)


def test_no_system_output_misses_everything() -> None:
    assert score(REF, [], collar=0).der == pytest.approx(1.0)
