"""``stt-engine check`` against a real ``stt-engine serve`` process, running and stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stt_engine.check import load_sample, word_error_rate

KEY = "check-key"
CLI = [sys.executable, "-m", "stt_engine.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=300, env=env or dict(os.environ)
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``stt-engine serve`` in a subprocess, with flags over environment variables."""
    root = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = dict(os.environ)
    env.update(
        STT_ENGINE_PORT="1",  # the --port flag below must win
        STT_ENGINE_CACHE_DIR=str(root / "cache"),
        STT_ENGINE_MODELS_DIR=str(root / "models"),
        STT_ENGINE_DATA_DIR=str(root / "data"),
        STT_ENGINE_DEVICE="cpu",
    )
    process = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--api-key", KEY],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"stt-engine serve did not become ready: {process.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(30)


def test_sample_ships_with_its_text() -> None:
    sample = load_sample()
    assert sample.audio[:4] == b"OggS"
    assert len(sample.audio) < 100_000
    assert sample.language == "en" and len(sample.text.split()) >= 10


def test_word_error_rate_ignores_case_and_punctuation() -> None:
    assert word_error_rate("Hello, World!", "hello world") == 0.0
    assert word_error_rate("one two three four", "one two three") == pytest.approx(0.25)
    assert word_error_rate("one two", "") == 1.0


def test_check_passes_against_a_running_server(served: str) -> None:
    result = run_cli("check", "--url", served, "--api-key", KEY, "--expect-device", "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    steps = ("liveness", "readiness", "device", "models", "transcription", "accuracy", "realtime")
    for step in steps:
        assert step in result.stdout
    assert "PASS" in result.stdout
    assert "FAIL" not in result.stdout + result.stderr


def test_check_json_reports_every_step_with_timings(served: str) -> None:
    env = dict(os.environ, STT_ENGINE_API_KEY=KEY)
    result = run_cli("check", "--url", served, "--json", env=env)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"] is True
    steps = {s["name"]: s for s in report["steps"]}
    assert steps["device"]["detail"].startswith("cpu")
    assert steps["transcription"]["seconds"] > 0
    assert "WER" in steps["accuracy"]["detail"]
    assert steps["realtime"]["status"] == "pass" and "turn" in steps["realtime"]["detail"]


def test_check_fails_clearly_without_the_key(served: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STT_ENGINE_API_KEY"}
    result = run_cli("check", "--url", served, env=env)
    assert result.returncode == 1
    assert "401" in result.stdout and "--api-key" in result.stdout


def test_check_fails_on_the_wrong_device(served: str) -> None:
    result = run_cli("check", "--url", served, "--api-key", KEY, "--expect-device", "cuda")
    assert result.returncode == 1
    assert "expected cuda" in result.stdout


def test_check_fails_clearly_against_a_stopped_server() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    result = run_cli("check", "--url", url, "--timeout", "5")
    assert result.returncode == 1
    assert "cannot reach server" in result.stdout
    assert "FAIL: liveness" in result.stderr
    assert "SKIP" in result.stdout


def test_listen_prints_the_finals_of_a_file(served: str, tmp_path: Path) -> None:
    sample = load_sample()
    clip = tmp_path / sample.filename
    clip.write_bytes(sample.audio)
    args = ("listen", str(clip), "--url", served, "--api-key", KEY, "--speed", "4")
    result = run_cli(*args, "--language", sample.language)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.replace("\033[K", "").replace("\r", "\n").splitlines()
    finals = " ".join(line for line in lines if line.strip() and not line.startswith("..."))
    assert word_error_rate(sample.text, finals) <= 0.3, result.stdout


def test_listen_needs_a_file_or_the_mic() -> None:
    result = run_cli("listen")
    assert result.returncode == 2 and "FILE or --mic" in result.stderr
