"""``stt-engine serve`` warns at start when it listens beyond loopback and asks no API key.

Real servers in subprocesses on a free port; the tests connect only to 127.0.0.1 (a server on
0.0.0.0 also listens there) and stop each server once it answers /health.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stt_engine.cli.serve import open_warning

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize(
    ("flags", "env", "warned"),
    [
        (["--host", "0.0.0.0"], {}, True),
        ([], {}, True),  # the default host is 0.0.0.0
        (["--host", "127.0.0.1"], {}, False),
        (["--host", "0.0.0.0", "--api-key", "k1"], {}, False),
        (["--host", "0.0.0.0"], {"STT_ENGINE_API_KEYS": "k1,k2"}, False),
    ],
)
def test_the_warning_at_start(
    tmp_path: Path, flags: list[str], env: dict[str, str], warned: bool
) -> None:
    port = _free_port()
    output = _serve_until_healthy(tmp_path, [*flags, "--port", str(port)], env, port)
    lines = [line for line in output.splitlines() if line.startswith("warning: listening on")]
    if not warned:
        assert lines == [], output
        return
    (line,) = lines
    assert f"0.0.0.0:{port} (every network interface) with no API key" in line
    assert "--api-key KEY" in line and "STT_ENGINE_API_KEYS" in line
    assert "--host 127.0.0.1" in line


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"])
def test_loopback_hosts_are_quiet(host: str) -> None:
    assert open_warning(host, 8003, frozenset()) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "10.1.2.3", "gpu-01.lan"])
def test_other_hosts_without_a_key_are_warned_about(host: str) -> None:
    warning = open_warning(host, 9000, frozenset())
    assert warning is not None and f"listening on {host}:9000" in warning
    assert open_warning(host, 9000, frozenset({"k"})) is None


def test_an_unreadable_keys_file_stops_the_start(tmp_path: Path) -> None:
    missing = tmp_path / "absent-keys.txt"
    result = subprocess.run(
        [sys.executable, "-m", "stt_engine.cli", "serve", "--api-keys-file", str(missing)],
        env=_env(tmp_path, {}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"cannot read api_keys_file {missing}" in result.stderr
    assert "warning: listening" not in result.stderr


def _serve_until_healthy(tmp_path: Path, flags: list[str], env: dict[str, str], port: int) -> str:
    """Start ``stt-engine serve``, wait until /health answers on 127.0.0.1, stop it: its stderr."""
    command = [sys.executable, "-m", "stt_engine.cli", "serve", *flags]
    process = subprocess.Popen(
        command, env=_env(tmp_path, env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 240
        while not _healthy(port):
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, "the server did not answer /health"
            time.sleep(0.2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    return err.decode("utf-8", "replace")


def _env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    """This environment without STT_ENGINE_* settings, on the CPU, with private folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STT_ENGINE_")}
    env.update(
        STT_ENGINE_DEVICE="cpu",
        STT_ENGINE_DATA_DIR=str(tmp_path / "data"),
        STT_ENGINE_MODELS_DIR=str(tmp_path / "models"),
        STT_ENGINE_UPLOAD_DIR=str(tmp_path / "uploads"),
        STT_ENGINE_WORKER_NICE="0",
    )
    return {**env, **extra}


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
