"""Accuracy summaries and re-scoring saved results (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stt_engine.bench.accuracy import rescore
from stt_engine.bench.tables import accuracy_table
from stt_engine.cli import cli


def saved_result() -> dict[str, Any]:
    """Two files as an older accuracy.json stores them (scores deliberately stale)."""

    def system(hypothesis: str, language: str) -> dict[str, Any]:
        return {"hypothesis": hypothesis, "detected_language": language, "metrics": {}}

    files = [
        {"audio_filepath": "ko/a.flac", "duration": 4.0, "language": "ko",
         "reference": "이천구년 삼월", "systems": {"engine": system("2009년 3월", "ko"),
                                              "raw": system("2009년 사월", "ko")}},
        {"audio_filepath": "en/b.flac", "duration": 2.0, "language": None,
         "reference": "the cat sat", "systems": {"engine": system("the cat sat", "en"),
                                               "raw": system("a cat sat", "en")}},
    ]  # fmt: skip
    return {"kind": "accuracy", "settings": {}, "summary": {}, "files": files}


def test_rescore_recomputes_rows_and_summary() -> None:
    result = rescore(saved_result())
    summary = result["summary"]
    assert summary["files"] == 2 and summary["audio_seconds"] == 6.0
    # ko: 이천구년삼월 = 6 syllables. engine reads 2009년 3월 the same: 0/6.
    # raw: 사월 vs 삼월 -> 1 substitution: 1/6.
    assert summary["engine"]["cer"] == 0.0
    assert summary["raw"]["cer"] == pytest.approx(1 / 6)
    # en (language detected): engine 0/3, raw "a" for "the": 1/3.
    assert summary["raw"]["wer"] == pytest.approx(1 / 3)
    assert summary["engine_minus_raw"]["cer"] == pytest.approx(-1 / 6)
    assert summary["normalisers"] == {"en": "english", "ko": "korean"}
    row = result["files"][1]["systems"]["raw"]
    assert row["scored_as"] == "en" and row["metrics"]["wer"]["substitutions"] == 1
    table = accuracy_table(summary, ["engine", "raw"])
    assert "16.67%" in table and "cer -16.67 points" in table


def test_rescore_command_writes_a_new_result(tmp_path: Path) -> None:
    source = tmp_path / "old.json"
    source.write_text(json.dumps(saved_result(), ensure_ascii=False), "utf-8")
    out = tmp_path / "new"
    result = CliRunner().invoke(cli, ["bench", "rescore", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "accuracy.json").read_text("utf-8"))
    assert saved["settings"]["rescored"] and saved["summary"]["raw"]["wer"] == pytest.approx(1 / 3)
