"""``stt-engine bench accuracy`` and ``bench speed`` through the CLI on real speech and the
real base model, engine against raw faster-whisper."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from stt_engine.cli import cli

JFK = "en/whisper_jfk.flac"
KO = "ko/emotiontts/Main/main/lmy/lmy01003.flac"  # 6 s of read Korean


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory, audio_dir: Path) -> Path:
    """Two short clips copied from the corpus manifest (paths made absolute)."""
    rows = []
    for line in (audio_dir / "manifest.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["audio_filepath"] in (JFK, KO):
            row["audio_filepath"] = str((audio_dir / row["audio_filepath"]).resolve())
            rows.append(row)
    path = tmp_path_factory.mktemp("bench") / "manifest.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["bench", *args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_accuracy_engine_and_raw_on_english_and_korean(manifest: Path, tmp_path: Path) -> None:
    code, output = invoke("accuracy", "--manifest", str(manifest), "--compare-raw",
                          "--out", str(tmp_path), "--plot", "--no-progress")  # fmt: skip
    assert code == 0, output
    assert "engine - raw:" in output and "korean" in output and "english" in output
    result = json.loads((tmp_path / "accuracy.json").read_text("utf-8"))
    assert result["kind"] == "accuracy"
    assert result["machine"]["cores"] == os.cpu_count()
    assert result["versions"]["faster-whisper"] and result["versions"]["ctranslate2"]
    assert result["settings"]["model"] == "base" and result["settings"]["beam_size"] == 5
    summary = result["summary"]
    assert summary["files"] == 2 and summary["normalisers"] == {"en": "english", "ko": "korean"}
    for system in ("engine", "raw"):
        figures = summary[system]
        assert figures["by_language"]["en"]["wer"] <= 0.1  # JFK
        assert figures["by_language"]["ko"]["cer"] <= 0.15
        assert {"cer", "swer", "wer", "cer_mean_per_file", "wer_errors"} <= set(figures)
    assert abs(summary["engine_minus_raw"]["cer"]) <= 0.05
    jfk = next(f for f in result["files"] if f["audio_filepath"].endswith("whisper_jfk.flac"))
    assert "ask not what your country" in jfk["reference"]
    engine = jfk["systems"]["engine"]
    assert "country" in engine["hypothesis"] and engine["normaliser"] == "english"
    assert engine["metrics"]["wer"]["reference_units"] == 22
    assert (tmp_path / "accuracy.png").stat().st_size > 1000


@pytest.mark.slow
def test_speed_alternates_engine_and_raw(manifest: Path, tmp_path: Path) -> None:
    args = ["speed", "--manifest", str(manifest), "--compare-raw", "--no-warmup",
            "--out", str(tmp_path), "--plot", "--no-progress"]  # fmt: skip
    code, output = invoke(*args)
    assert code == 0, output
    assert "engine/raw RTFx ratio" in output
    result = json.loads((tmp_path / "speed.json").read_text("utf-8"))
    summary = result["summary"]
    assert summary["files"] == 2 and summary["audio_seconds"] == pytest.approx(17.02, abs=0.1)
    for system in ("engine", "raw"):
        figures = summary[system]
        assert figures["rtfx"] > 0.5  # base int8 on 2 cores runs several times real time
        assert 0 < figures["model_load_seconds"] < 60
        assert figures["latency_seconds"]["max"] >= figures["latency_seconds"]["p50"] > 0
        assert figures["peak_rss_sampled_mib"] > 100
    assert 0.5 < summary["engine_over_raw_rtfx"] < 2.0
    memory = summary["memory"]
    assert memory["ru_maxrss_mib"] >= summary["engine"]["peak_rss_sampled_mib"] - 1
    assert memory["rss_after_load_mib"] > memory["rss_before_load_mib"]
    assert [f["order"] for f in result["files"]] == [[["engine", "raw"]], [["raw", "engine"]]]
    assert (tmp_path / "speed.png").stat().st_size > 1000


def test_no_selected_clip_is_a_usage_error(manifest: Path, tmp_path: Path) -> None:
    code, output = invoke("accuracy", "--manifest", str(manifest), "--lang", "ja",
                          "--out", str(tmp_path))  # fmt: skip
    assert code == 2
    assert "no clips selected" in output and "hint:" in output


def test_missing_audio_file_is_an_audio_error(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"audio_filepath": "gone.flac", "duration": 1.0,
                                    "text": "x", "lang": "en"}), "utf-8")  # fmt: skip
    code, output = invoke("speed", "--manifest", str(manifest), "--no-warmup",
                          "--out", str(tmp_path), "--no-progress")  # fmt: skip
    assert code == 3, output
    assert "gone.flac" in output


@pytest.mark.slow
def test_accuracy_through_a_live_server(manifest: Path, tmp_path: Path) -> None:
    from stt_engine.bench.local_server import BackgroundServer
    from stt_engine.config import Settings
    from stt_engine.server import create_app

    settings = Settings(models_dir=tmp_path / "models", data_dir=tmp_path / "data",
                        cache_dir=tmp_path / "cache", upload_dir=tmp_path / "up", device="cpu",
                        api_keys=["bench-key"])  # fmt: skip
    with BackgroundServer(create_app(settings)) as server:
        server.wait_ready()
        common = ("--manifest", str(manifest), "--url", server.url, "--no-progress")
        code, output = invoke("accuracy", *common, "--api-key", "bench-key", "--out", str(tmp_path))
        refused, refusal = invoke("accuracy", *common, "--compare-raw", "--out", str(tmp_path))
    assert code == 0, output
    result = json.loads((tmp_path / "accuracy.json").read_text("utf-8"))
    assert result["settings"]["servers"] == [server.url]
    figures = result["summary"][server.url]["by_language"]
    assert figures["en"]["wer"] <= 0.1 and figures["ko"]["cer"] <= 0.15
    jfk = next(f for f in result["files"] if f["audio_filepath"].endswith("whisper_jfk.flac"))
    served = jfk["systems"][server.url]
    assert "country" in served["hypothesis"] and served["detected_language"] in ("en", "english")
    assert refused == 2 and "--compare-raw" in refusal


def test_accuracy_against_an_unreachable_server_fails_clearly(
    manifest: Path, tmp_path: Path
) -> None:
    code, output = invoke("accuracy", "--manifest", str(manifest), "--url", "http://127.0.0.1:9",
                          "--out", str(tmp_path), "--no-progress")  # fmt: skip
    assert code != 0 and "127.0.0.1:9" in output
