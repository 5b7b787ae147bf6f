"""The vocabulary benchmark's scoring: term recall with spaces ignored, pooled CER, and the
term file resolving to real clips with their references."""

from __future__ import annotations

from pathlib import Path

from stt_engine.bench.scoring import score
from stt_engine.bench.vocabulary import Outcome, read_cases, recalled, summary

SPEC = (
    Path(__file__).resolve().parents[3]
    / "scripts"
    / "bench"
    / "vocabulary"
    / "ko_proper_nouns.json"
)


def test_terms_are_found_with_spaces_ignored() -> None:
    terms = ("레알 마드리드", "모나코", "스페인")
    assert recalled(terms, "모나코와 스페인의 레알마드리드에서") == 3
    assert recalled(terms, "모나코와 스페인의 레알 마드 리드에서") == 3
    assert recalled(terms, "모 나코와 스페인") == 2


def test_summary_pools_terms_and_characters() -> None:
    good = Outcome(2, 2, score("모나코와 스페인", "모나코와 스페인", "ko").primary)
    bad = Outcome(0, 2, score("모나코와 스페인", "모나고 스패인", "ko").primary)
    table = summary({"without": [bad], "with": [good]})
    assert table["with"] == {"term_recall": 1.0, "terms": 2, "cer": 0.0}
    assert table["without"]["term_recall"] == 0.0 and table["without"]["cer"] > 0


def test_the_term_file_names_real_clips(audio_dir: Path) -> None:
    cases = read_cases(SPEC, audio_dir)
    assert len(cases) == 30
    for case in cases:
        assert case.path.is_file() and case.terms
        assert all(term.replace(" ", "") in case.reference.replace(" ", "") for term in case.terms)
