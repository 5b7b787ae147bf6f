"""A cpu bundle for this machine installs and serves with no network at all.

One bundle is built per session (the container tests reuse it when they ran first). Everything
on the "server" side runs inside a network namespace that has only a loopback interface: the
installer, the installed commands and service, and the HTTP client that talks to it. The
installed commands run as a user would run them: no STT_ENGINE_* variable, a fresh HOME (so no
per-user models dir can answer for the installed one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bundle_support import PULLED_NAME, PULLED_REPO, TARGET_DRIVER, shared_bundle

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

PORT = 8003  # the namespace is private, so the real default port is free


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
    netns: str,
    *command: str,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    base: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run in the namespace with ``base`` (default: this process's environment) plus ``env``."""
    return subprocess.run(
        ["ip", "netns", "exec", netns, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**(os.environ if base is None else base), **(env or {})},
    )


def user_env(home: Path) -> dict[str, str]:
    """This environment without any STT_ENGINE_* or XDG_* variable, with a fresh HOME."""
    home.mkdir(parents=True, exist_ok=True)
    drop = ("STT_ENGINE_", "XDG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**env, "HOME": str(home)}


@dataclass(frozen=True)
class Installed:
    prefix: Path
    models: Path
    output: str  # what the first install.sh run printed

    @property
    def args(self) -> list[str]:
        return ["--prefix", str(self.prefix), "--models-dir", str(self.models)]

    @property
    def stt(self) -> str:
        return str(self.prefix / "bin" / "stt-engine")

    @property
    def env_file(self) -> Path:
        return self.prefix / "stt-engine.env"


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


def test_the_manifest_holds_the_target_drivers_verdict(unpacked: Path) -> None:
    verdict = json.loads((unpacked / "manifest.json").read_text())["verdict"]
    assert verdict["flavour"] == "cpu" and verdict["driver"] == TARGET_DRIVER
    assert (verdict["status"], verdict["max_cuda"], verdict["forced"]) == ("pass", "11.4", False)
    assert "goes unused" in verdict["reason"]
    readme = (unpacked / "README.md").read_text()
    assert f"Verdict on the target driver at build time: driver {TARGET_DRIVER}" in readme


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
    assert "EnvironmentFile" not in unit  # the engine reads stt-engine.env itself
    assert installed.env_file.read_text() == f"STT_ENGINE_MODELS_DIR={models}\n"
    closing = installed.output.split(" is installed in ", 1)[1]
    assert "STT_ENGINE_" not in closing.split("\n", 1)[1]  # nothing to set by hand
    assert f"\n  {prefix}/bin/stt-engine serve --host 0.0.0.0 --port 8003\n" in installed.output


def test_reinstall_is_safe(installed: Installed, unpacked: Path, netns: str) -> None:
    again = in_ns(netns, str(unpacked / "install.sh"), *installed.args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing the venv" in again.stdout
    assert "model base: already in" in again.stdout
    assert f"keeping {installed.env_file}" in again.stdout


def test_reinstall_without_models_dir_keeps_the_recorded_one(
    installed: Installed, unpacked: Path, netns: str
) -> None:
    again = in_ns(netns, str(unpacked / "install.sh"), "--prefix", str(installed.prefix))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"model base: already in {installed.models}/base" in again.stdout
    assert installed.env_file.read_text() == f"STT_ENGINE_MODELS_DIR={installed.models}\n"


def test_reinstall_to_another_models_dir_updates_the_env_file(
    installed: Installed, unpacked: Path, netns: str, tmp_path: Path
) -> None:
    moved = tmp_path / "models-elsewhere"
    with installed.env_file.open("a") as handle:
        handle.write("STT_ENGINE_LOG_LEVEL=INFO\n")  # a setting the user added
    script = str(unpacked / "install.sh")
    try:
        again = in_ns(netns, script, "--prefix", str(installed.prefix), "--models-dir", str(moved))
        listed = in_ns(netns, installed.stt, "models", "list", base=user_env(tmp_path / "home"))
        lines = installed.env_file.read_text().splitlines()
    finally:
        back = in_ns(netns, script, *installed.args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"model base: placed in {moved}/base" in again.stdout
    assert f"(was {installed.models}; its models were left there)" in again.stdout
    assert sorted(lines) == ["STT_ENGINE_LOG_LEVEL=INFO", f"STT_ENGINE_MODELS_DIR={moved}"]
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert f"models dir: {moved})" in listed.stdout
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"STT_ENGINE_MODELS_DIR={installed.models}" in installed.env_file.read_text()


def test_installed_models_list_needs_no_variable(
    installed: Installed, netns: str, tmp_path: Path
) -> None:
    result = in_ns(netns, installed.stt, "models", "list", base=user_env(tmp_path / "home"))
    assert result.returncode == 0, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("base"))
    assert row.endswith(str(installed.models / "base"))
    assert f"(* default; models dir: {installed.models})" in result.stdout


def test_installed_cli_transcribes_with_no_variable(
    installed: Installed, netns: str, jfk: Path, tmp_path: Path
) -> None:
    env = user_env(tmp_path / "home")
    result = in_ns(netns, installed.stt, "transcribe", str(jfk), base=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ask not what your country can do for you" in result.stdout.lower()


def test_installed_pulled_model_transcribes_with_no_variable(
    installed: Installed, netns: str, jfk: Path, tmp_path: Path
) -> None:
    env = user_env(tmp_path / "home")
    listed = in_ns(netns, installed.stt, "models", "list", base=env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(PULLED_NAME))
    assert row.endswith(str(installed.models / PULLED_NAME))
    origin = json.loads((installed.models / PULLED_NAME / "stt-engine-model.json").read_text())
    assert origin["origin"]["repo_id"] == PULLED_REPO
    verified = in_ns(netns, installed.stt, "models", "verify", PULLED_NAME, base=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for name in (PULLED_NAME, PULLED_REPO):  # by folder name and by the repository it came from
        args = ["transcribe", str(jfk), "--model", name, "--language", "en"]
        result = in_ns(netns, installed.stt, *args, base=env, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "ask not what your country can do for you" in result.stdout.lower()


def test_installed_service_transcribes_offline(
    installed: Installed,
    netns: str,
    jfk: Path,
    tmp_path: Path,
) -> None:
    log_path = tmp_path / "serve.log"
    env = user_env(tmp_path / "home")  # no STT_ENGINE_* variable: serve as started by hand
    command = ["ip", "netns", "exec", netns, installed.stt]
    command += ["serve", "--host", "127.0.0.1", "--port", str(PORT)]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_ready(netns, server, log_path)
        text = _transcribe(netns, jfk)
        url = f"http://127.0.0.1:{PORT}"
        check = in_ns(netns, installed.stt, "check", "--url", url, base=env, timeout=600)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "ask not what your country can do for you" in text.lower()
    assert check.returncode == 0, check.stdout + check.stderr
    log_text = log_path.read_text()
    assert "Device: cpu (" in log_text
    assert "no CUDA device visible to CTranslate2" in log_text


def test_service_demanding_cuda_refuses_to_start(
    installed: Installed, netns: str, tmp_path: Path
) -> None:
    base = user_env(tmp_path / "home")
    result = in_ns(
        netns,
        installed.stt,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT + 1),
        env={"STT_ENGINE_DEVICE": "cuda"},
        base=base,
        timeout=120,
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
