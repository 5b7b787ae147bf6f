"""The doctor reports whether speaker diarization is installed, from metadata alone."""

from __future__ import annotations

from stt_engine.doctor.records import Facts, PackageFacts
from stt_engine.doctor.rules import check_diarization, check_packages


def test_installed_extra_is_reported_with_its_version() -> None:
    facts = Facts(packages=[PackageFacts("senko", "0.2.2")])
    check = check_diarization(facts)
    assert check.id == "diarization" and "senko 0.2.2" in check.message and not check.fix


def test_missing_extra_says_how_to_install_it() -> None:
    check = check_diarization(Facts())
    assert "not installed" in check.message and "stt-engine[diarize]" in check.fix


def test_the_extra_is_not_judged_against_the_driver() -> None:
    from stt_engine.doctor.compat import Compat
    from stt_engine.doctor.rules import situation_of

    compat = Compat()
    facts = Facts(packages=[PackageFacts("senko", "0.2.2")])
    assert check_packages(facts, situation_of(facts, compat)) == []
