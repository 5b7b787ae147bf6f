"""`bundle build --image` makes an image offline that loads back, serves and transcribes.

Follows the podman recipe for this machine: runc with plain cgroups and no default ulimits
(through a private containers.conf), a debootstrap Debian base standing in for
python:3.11-slim (built once and reused as localhost/python-base:3.11), --network=host runs
talking over 127.0.0.1. Containers and the image this test creates are removed by name.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openai import OpenAI

from bundle_support import build_bundle, bundle_folder

pytestmark = [pytest.mark.container, pytest.mark.slow, pytest.mark.timeout(1800)]

BASE_IMAGE = "localhost/python-base:3.11"
HERE = Path(__file__).resolve().parent
CONTAINERS_CONF = """[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
"""


@dataclass(frozen=True)
class Built:
    archive: Path
    image_archive: Path
    tag: str
    env: dict[str, str]  # the environment podman runs with

    def podman(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", *args], capture_output=True, text=True, timeout=timeout, env=self.env
        )


@pytest.fixture(scope="module")
def podman_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if shutil.which("podman") is None or os.geteuid() != 0:
        pytest.skip("container tests need podman and root")
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


@pytest.fixture(scope="module")
def base_image(podman_env: dict[str, str]) -> str:
    exists = subprocess.run(["podman", "image", "exists", BASE_IMAGE], env=podman_env)
    if exists.returncode != 0:
        made = subprocess.run(
            [str(HERE / "make_base_image.sh"), BASE_IMAGE],
            capture_output=True,
            text=True,
            timeout=900,
            env=podman_env,
        )
        assert made.returncode == 0, made.stdout + made.stderr
    return BASE_IMAGE


@pytest.fixture(scope="module")
def built(
    base_image: str, podman_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    # the offline-install tests reuse this archive (same folder) when they run later
    out = bundle_folder(tmp_path_factory)
    image_args = ["--image", "--engine", "podman", "--base-image", base_image]
    result = build_bundle(tmp_path_factory, *image_args, env=podman_env, timeout=1200)
    archive = next(out.glob("stt-engine-bundle-*-cpu.tar.gz"))
    version = archive.name.split("-")[3]
    image_archive = out / f"stt-engine-{version}-cpu.image.tar.gz"
    assert f"image: {image_archive}" in result.stdout
    done = Built(archive, image_archive, f"localhost/stt-engine:{version}-cpu", podman_env)
    try:
        yield done
    finally:
        done.podman("rmi", "-f", done.tag)


@pytest.fixture(scope="module")
def loaded(built: Built) -> Built:
    """The image removed, then loaded back from the saved .image.tar.gz."""
    removed = built.podman("rmi", "-f", built.tag)
    assert removed.returncode == 0, removed.stderr
    assert built.podman("image", "exists", built.tag).returncode == 1
    # docker load -i reads the .gz directly; podman 4.3 needs the tar itself, so decompress first
    with subprocess.Popen(
        ["gunzip", "-c", str(built.image_archive)], stdout=subprocess.PIPE
    ) as unzip:
        load = subprocess.run(
            ["podman", "load"], stdin=unzip.stdout, capture_output=True, text=True, env=built.env
        )
    assert unzip.returncode == 0
    assert load.returncode == 0, load.stdout + load.stderr
    assert built.podman("image", "exists", built.tag).returncode == 0
    return built


@pytest.fixture(scope="module")
def models_dir(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle's models, placed by `install.sh --models-only` as the server docs say."""
    root = tmp_path_factory.mktemp("image-server")
    subprocess.run(["tar", "-xzf", str(built.archive), "-C", str(root)], check=True)
    unpacked = root / built.archive.name.removesuffix(".tar.gz")
    models = root / "models"
    placed = subprocess.run(
        [str(unpacked / "install.sh"), "--models-only", "--models-dir", str(models)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert placed.returncode == 0, placed.stdout + placed.stderr
    return models


def test_saved_image_loads_back_with_its_settings(loaded: Built) -> None:
    inspect = loaded.podman("image", "inspect", loaded.tag)
    assert inspect.returncode == 0, inspect.stderr
    [image] = json.loads(inspect.stdout)
    config = image["Config"]
    assert config["User"] == "stt"
    assert "8003/tcp" in config["ExposedPorts"]
    assert "/app/models" in config["Volumes"]
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,utility" in config["Env"]
    health = image.get("Healthcheck")  # podman keeps it beside Config (docker format)
    assert health is not None and "/health" in " ".join(health["Test"])


def test_container_serves_and_transcribes(loaded: Built, models_dir: Path, jfk: Path) -> None:
    port = _free_port()
    name = f"stt-bundle-test-{os.getpid()}"
    run = ["run", "-d", "--name", name, "--network=host", "-e", f"STT_ENGINE_PORT={port}"]
    run += ["-v", f"{models_dir}:/app/models:ro", loaded.tag]
    started = loaded.podman(*run)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        _wait_ready(loaded, name, port)
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none")
        with jfk.open("rb") as audio:
            text = client.audio.transcriptions.create(model="whisper-1", file=audio).text
        health = loaded.podman("healthcheck", "run", name, timeout=60)
        logs = loaded.podman("logs", name)
    finally:
        loaded.podman("rm", "-f", name)
    assert "ask not what your country can do for you" in text.lower()
    assert health.returncode == 0, health.stdout + health.stderr
    output = logs.stdout + logs.stderr
    assert output.splitlines()[0].startswith("doctor: no NVIDIA driver")
    assert "Device: cpu (" in output
    assert "no CUDA device visible to CTranslate2" in output


def test_container_demanding_cuda_exits_with_the_reason(loaded: Built, models_dir: Path) -> None:
    name = f"stt-bundle-cuda-{os.getpid()}"
    run = ["run", "--rm", "--name", name, "--network=host", "-e", "STT_ENGINE_DEVICE=cuda"]
    run += ["-e", f"STT_ENGINE_PORT={_free_port()}", "-v", f"{models_dir}:/app/models:ro"]
    try:
        result = loaded.podman(*run, loaded.tag, timeout=300)
    finally:
        loaded.podman("rm", "-f", name)
    output = result.stdout + result.stderr
    assert result.returncode == 5, output
    assert "doctor: no NVIDIA driver" in output
    assert "device=cuda was asked for but no CUDA device visible to CTranslate2" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(built: Built, name: str, port: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                if json.load(answer).get("ready"):
                    return
        except OSError:
            pass
        state = built.podman("inspect", "--format", "{{.State.Running}}", name)
        assert state.stdout.strip() == "true", built.podman("logs", name).stdout
        time.sleep(1)
    raise AssertionError("container not ready in 240 s: " + built.podman("logs", name).stdout)
