"""Percentiles, memory readings and the result envelope."""

from __future__ import annotations

import gc
import json
import mmap
import os
import time
from pathlib import Path

import pytest

from stt_engine.bench.memory import RssSampler, max_rss_mib, rss_mib
from stt_engine.bench.results import envelope, machine, versions, write_result
from stt_engine.bench.stats import latency_summary, percentile


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # sorted 1 2 3 4; rank for p50 = 1.5 -> 2.5
    assert percentile(values, 50) == 2.5
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)  # rank 2.85 -> 3 + 0.85
    assert percentile([], 50) is None


def test_latency_summary() -> None:
    summary = latency_summary([1.0, 2.0, 3.0])
    assert summary == {
        "mean": 2.0,
        "p50": 2.0,
        "p95": pytest.approx(2.9),
        "p99": pytest.approx(2.98),
        "max": 3.0,
    }
    assert latency_summary([])["p99"] is None


def test_rss_readings_see_a_big_allocation() -> None:
    gc.collect()  # nothing left for the collector to free while we measure
    before = rss_mib()
    assert before is not None and before > 10
    with RssSampler(interval=0.005) as sampler:
        # fresh anonymous pages (a bytearray may reuse memory the process already holds)
        block = mmap.mmap(-1, 200 * 1024 * 1024)  # 200 MiB
        for offset in range(0, len(block), 4096):
            block[offset] = 1  # touch every page
        during = rss_mib()
        time.sleep(0.05)  # several samples while the block is alive
        block.close()
    assert during is not None and during >= before + 150
    assert sampler.peak_mib is not None and sampler.peak_mib >= during - 5
    assert max_rss_mib() >= sampler.peak_mib - 1


def test_envelope_and_write(tmp_path: Path) -> None:
    result = envelope("speed", {"model": "base"}, gpu=None)
    assert result["machine"]["cores"] == os.cpu_count()
    assert result["machine"]["cpu"]
    assert set(versions()) >= {"stt-engine", "faster-whisper", "ctranslate2"}
    result["figures"] = {"path": tmp_path, "text": "한국어"}
    path = write_result(result, tmp_path / "new", "speed")
    assert "한국어" in path.read_text("utf-8")
    assert json.loads(path.read_text("utf-8"))["figures"]["path"] == str(tmp_path)
    assert machine("NVIDIA H100")["gpu"] == "NVIDIA H100"
