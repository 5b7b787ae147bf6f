"""Speed runs: alternation, repeats and the median run, with stand-in systems on real audio."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from stt_engine.bench.manifest import Clip
from stt_engine.bench.speed import run_speed
from stt_engine.bench.systems import Hypothesis
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions


class Sleeper:
    """Takes a fixed time per call (a stand-in for a model) and logs the calls."""

    def __init__(self, name: str, seconds: list[float], log: list[str]):
        self.name, self.load_seconds = name, 0.5
        self._seconds, self._log = list(seconds), log

    def run(self, audio: np.ndarray, options: TranscribeOptions) -> Hypothesis:
        self._log.append(self.name)
        time.sleep(self._seconds.pop(0))
        return Hypothesis(f"{self.name} {audio.size}", options.language or "")


def test_alternates_and_keeps_the_median_run(audio_dir: Path, tmp_path: Path) -> None:
    engine = Engine(Settings(models_dir=tmp_path, cache_dir=tmp_path, device="cpu"))
    jfk = Clip("jfk", audio_dir / "en/whisper_jfk.flac", 11.0, "", "en")
    log: list[str] = []
    # per clip 3 runs each: engine 0.05/0.01/0.03 -> median 0.03; raw 0.02 each
    systems = [Sleeper("engine", [0.05, 0.01, 0.03] * 2, log), Sleeper("raw", [0.02] * 6, log)]
    rows, summary = run_speed(engine, [jfk, jfk], systems, TranscribeOptions(), repeat=3)
    assert log == ["engine", "raw", "raw", "engine", "engine", "raw",
                   "raw", "engine", "engine", "raw", "raw", "engine"]  # fmt: skip
    assert rows[0]["order"] == [["engine", "raw"], ["raw", "engine"], ["engine", "raw"]]
    assert rows[1]["order"][0] == ["raw", "engine"]
    engine_row = rows[0]["systems"]["engine"]
    assert len(engine_row["runs_seconds"]) == 3
    assert engine_row["seconds"] == sorted(engine_row["runs_seconds"])[1]
    assert engine_row["seconds"] == pytest.approx(0.03, abs=0.02)
    assert engine_row["text"] == "engine 176000" and rows[0]["duration"] == 11.0
    assert summary["engine"]["rtfx"] == pytest.approx(22.0 / (2 * engine_row["seconds"]), rel=0.3)
    assert summary["engine_over_raw_rtfx"] < 1.0  # engine's median 0.03 s vs raw 0.02 s
    assert summary["engine"]["model_load_seconds"] == 0.5
    # fastest runs: engine 0.01 s vs raw 0.02 s per clip
    assert summary["engine_over_raw_rtfx_best_runs"] > 1.0
