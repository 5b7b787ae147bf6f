"""A cpu bundle for this machine installs and serves with no network at all.

One bundle is built per session (the container tests reuse it when they ran first). Everything
on the "server" side runs inside a network namespace that has only a loopback interface: the
installer, the installed service, and the HTTP client that talks to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

HOST_PY = f"{sys.version_info.major}.{sys.version_info.minor}"
PORT = 8003  # the namespace is private, so the real default port is free


def shared_bundle(factory: pytest.TempPathFactory, *extra: str) -> Path:
    """The session's cpu bundle archive, built once with the real `stt-engine bundle build`."""
    out = factory.getbasetemp() / "stt-bundle-cpu"
    found = sorted(out.glob("stt-engine-bundle-*-cpu.tar.gz"))
    if found:
        return found[0]
    command = [sys.executable, "-m", "stt_engine.cli", "bundle", "build", "--python", HOST_PY]
    command += ["--flavour", "cpu", "--model", "base", "--out", str(out), *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return next(out.glob("stt-engine-bundle-*-cpu.tar.gz"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_bundle(tmp_path_factory)


@pytest.fixture(scope="module")
def unpacked(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("server")
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(target)], check=True)
    return target / archive.name.removesuffix(".tar.gz")


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    """A network namespace with loopback only; commands run in it via `ip netns exec`."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to make an offline network namespace")
    name = f"stt-bundle-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def in_ns(
    netns: str, *command: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", netns, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@dataclass(frozen=True)
class Installed:
    prefix: Path
    models: Path
    output: str  # what the first install.sh run printed

    @property
    def args(self) -> list[str]:
        return ["--prefix", str(self.prefix), "--models-dir", str(self.models)]


@pytest.fixture(scope="module")
def installed(unpacked: Path, netns: str, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("opt")
    done = Installed(root / "stt-engine", root / "models", "")
    first = in_ns(netns, str(unpacked / "install.sh"), *done.args)
    assert first.returncode == 0, first.stdout + first.stderr
    return Installed(done.prefix, done.models, first.stdout)


def test_namespace_has_no_network(netns: str) -> None:
    # a literal address (no DNS involved): there is no route to anything but loopback
    probe = "import socket; socket.create_connection(('151.101.0.223', 443), timeout=5)"
    result = in_ns(netns, sys.executable, "-c", probe)
    assert result.returncode != 0
    assert "Network is unreachable" in result.stderr


def test_verify_accepts_the_archive(archive: Path) -> None:
    command = [sys.executable, "-m", "stt_engine.cli", "bundle", "verify", str(archive)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: every file matches the manifest" in result.stdout
    assert "doctor: " in result.stdout


def test_offline_install_places_venv_and_models(installed: Installed) -> None:
    prefix, models = installed.prefix, installed.models
    assert (prefix / "bin" / "stt-engine").is_file()
    assert (models / "base" / "model.bin").is_file()
    assert (models / "base" / "stt-engine-model.json").is_file()
    assert "model base: placed in" in installed.output
    assert "systemctl enable --now stt-engine" in installed.output
    unit = (prefix / "stt-engine.service").read_text()
    assert f"ExecStart={prefix}/bin/stt-engine serve" in unit


def test_reinstall_is_safe(installed: Installed, unpacked: Path, netns: str) -> None:
    again = in_ns(netns, str(unpacked / "install.sh"), *installed.args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing the venv" in again.stdout
    assert "model base: already in" in again.stdout


def test_installed_service_transcribes_offline(
    installed: Installed,
    netns: str,
    jfk: Path,
    tmp_path: Path,
) -> None:
    log_path = tmp_path / "serve.log"
    env = _service_env(installed, tmp_path)
    command = ["ip", "netns", "exec", netns, str(installed.prefix / "bin" / "stt-engine")]
    command += ["serve", "--host", "127.0.0.1", "--port", str(PORT)]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_ready(netns, server, log_path)
        text = _transcribe(netns, jfk)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "ask not what your country can do for you" in text.lower()
    log_text = log_path.read_text()
    assert "Device: cpu (" in log_text
    assert "no CUDA device visible to CTranslate2" in log_text


def test_service_demanding_cuda_refuses_to_start(
    installed: Installed, netns: str, tmp_path: Path
) -> None:
    env = {**_service_env(installed, tmp_path), "STT_ENGINE_DEVICE": "cuda"}
    stt = str(installed.prefix / "bin" / "stt-engine")
    result = in_ns(
        netns, stt, "serve", "--host", "127.0.0.1", "--port", str(PORT + 1), env=env, timeout=120
    )
    assert result.returncode == 5, result.stdout + result.stderr
    assert "device=cuda was asked for but no CUDA device visible to CTranslate2" in result.stderr


def test_installer_names_a_corrupt_and_an_extra_file(
    unpacked: Path, netns: str, tmp_path: Path
) -> None:
    wheel = next((unpacked / "wheels").glob("numpy-*.whl"))
    original = wheel.read_bytes()
    extra = unpacked / "wheels" / "stray.txt"
    try:
        wheel.write_bytes(original[:1000] + bytes([original[1000] ^ 0xFF]) + original[1001:])
        extra.write_text("not in the manifest")
        prefix = tmp_path / "never"
        result = in_ns(netns, str(unpacked / "install.sh"), "--prefix", str(prefix))
        cli = subprocess.run(
            [sys.executable, "-m", "stt_engine.cli", "bundle", "verify", str(unpacked)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        wheel.write_bytes(original)
        extra.unlink()
    assert result.returncode != 0
    assert f"wheels/{wheel.name}: sha256 mismatch" in result.stderr
    assert "wheels/stray.txt: extra file" in result.stderr
    assert not prefix.exists()  # nothing was installed
    assert cli.returncode == 13
    assert f"wheels/{wheel.name}: sha256 mismatch" in cli.stderr


def _service_env(installed: Installed, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STT_ENGINE_")}
    env.update(
        STT_ENGINE_MODELS_DIR=str(installed.models),
        STT_ENGINE_DATA_DIR=str(tmp_path / "data"),
        STT_ENGINE_CACHE_DIR=str(tmp_path / "cache"),
    )
    return env


def _wait_ready(netns: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    probe = (
        "import json, urllib.request; "
        f"answer = urllib.request.urlopen('http://127.0.0.1:{PORT}/health', timeout=5); "
        "print(json.load(answer)['ready'])"
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, f"server exited: {log_path.read_text()}"
        result = in_ns(netns, sys.executable, "-c", probe, timeout=30)
        if result.stdout.strip() == "True":
            return
        time.sleep(1)
    raise AssertionError(f"server not ready in 180 s: {log_path.read_text()}")


def _transcribe(netns: str, audio: Path) -> str:
    """Transcribe through the official openai client, running inside the namespace."""
    script = (
        "import sys; from openai import OpenAI; "
        f"client = OpenAI(base_url='http://127.0.0.1:{PORT}/v1', api_key='none'); "
        "audio = open(sys.argv[1], 'rb'); "
        "print(client.audio.transcriptions.create(model='whisper-1', file=audio).text)"
    )
    result = in_ns(netns, sys.executable, "-c", script, str(audio), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
