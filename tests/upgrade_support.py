"""The previous release's bundle, made from its commit in this repository's history.

Release 0.1.0 is commit 96666a4 (docs/releases.md). Its bundle is the current bundle with two
things from that commit: its stt-engine wheel (``pip wheel`` of ``git archive 96666a4``, built
offline with this environment's setuptools) and its installer files (``install.sh`` and the
systemd unit); the manifest is written again for the changed files. The dependency wheels are the
current bundle's, and the few it pins differently are fetched from the package index
(``PREVIOUS_ONLY``; pip reads the release's pins from its wheel).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from stt_engine.bundle.manifest import MANIFEST_NAME, write_manifest

PREVIOUS_COMMIT = "96666a4ca634d0d1c2dba674fe351058612b3796"
PREVIOUS_VERSION = "0.1.0"
# what 0.1.0 pins that this version's bundle does not carry (this one needs PyAV >= 18.1)
PREVIOUS_ONLY = ("av>=12,<17",)
REPO = Path(__file__).resolve().parents[1]
# where each installer file is in a source tree -> where it is in a bundle
INSTALLER_FILES = {
    "src/stt_engine/bundle/install.sh": "install.sh",
    "deploy/stt-engine.service": "deploy/stt-engine.service",
}


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, timeout=120)


def previous_release_source(dest: Path) -> Path:
    """The release commit's tree in ``dest``; skips when this checkout's history lacks it."""
    if shutil.which("git") is None or _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("the upgrade test needs a git checkout of stt-engine (for release 0.1.0)")
    if _git("cat-file", "-e", PREVIOUS_COMMIT + "^{commit}").returncode != 0:
        shallow = _git("rev-parse", "--is-shallow-repository").stdout.decode().strip()
        pytest.skip(
            f"release {PREVIOUS_VERSION}'s commit {PREVIOUS_COMMIT[:7]} is not in this "
            f"checkout's history (shallow clone: {shallow}); `git fetch --unshallow` to run it"
        )
    dest.mkdir(parents=True)
    archive = _git("archive", "--format=tar", PREVIOUS_COMMIT)
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def build_wheel(project: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of a source tree, offline (no build isolation)."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--quiet", "-w", str(out), str(project)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return next(out.glob("stt_engine-*.whl"))


def rebundle(source: Path, dest: Path, wheel: Path, project: Path) -> Path:
    """A copy of the unpacked bundle with another stt-engine wheel and that project's installer.

    Files are hard-linked where unchanged; the changed ones are new files, so ``source`` is
    left as it is.
    """
    shutil.copytree(source, dest, copy_function=os.link)
    for old in (dest / "wheels").glob("stt_engine-*.whl"):
        old.unlink()
    shutil.copy2(wheel, dest / "wheels" / wheel.name)
    for in_tree, in_bundle in INSTALLER_FILES.items():
        (dest / in_bundle).unlink()
        shutil.copy2(project / in_tree, dest / in_bundle)
    meta = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    version = wheel.name.split("-")[1]
    meta["version"] = version
    own = re.compile(r"^(stt-engine(\[[^\]]*\])?)==.*$")
    meta["install"] = [own.sub(rf"\g<1>=={version}", r) for r in meta["install"]]
    for key in ("format", "files"):
        meta.pop(key)
    (dest / MANIFEST_NAME).unlink()
    write_manifest(dest, meta)
    return dest


def add_wheels(bundle: Path, *requirements: str) -> None:
    """Download binary wheels for this machine's Python into the bundle (the index is
    reachable where tests run; the installer itself never uses it)."""
    wheels = bundle / "wheels"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--quiet", "-d", str(wheels), *requirements]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    meta = json.loads((bundle / MANIFEST_NAME).read_text(encoding="utf-8"))
    for key in ("format", "files"):
        meta.pop(key)
    (bundle / MANIFEST_NAME).unlink()
    write_manifest(bundle, meta)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``PREFIX/bin/stt-engine serve`` on 127.0.0.1, run as its systemd unit would run it."""

    def __init__(self, command: str, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [command, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
        self.log = log

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited:\n" + self.log.read_text()
            try:
                if httpx.get(self.url + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError("the server was not ready in time:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def kill_when(command: list[str], env: dict[str, str], ready: Callable[[], bool], log: Path) -> int:
    """Run ``command`` in its own process group; SIGKILL the group once ``ready()`` holds."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        wait_for(lambda: process.poll() is not None or ready(), "the kill point")
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    return process.returncode


def current_source(dest: Path) -> Path:
    """This checkout's HEAD as a plain tree (building a wheel there leaves the checkout alone)."""
    dest.mkdir(parents=True)
    archive = _git("archive", "--format=tar", "HEAD")
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


@dataclass
class Site:
    """One server's install: the prefix, the models, the data dir, and what happened to it."""

    root: Path
    runs: dict[str, subprocess.CompletedProcess[str] | int] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # observations between the runs

    @property
    def prefix(self) -> Path:
        return self.root / "opt" / "stt-engine"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def stt(self) -> str:
        return str(self.prefix / "bin" / "stt-engine")

    def env(self, **extra: str) -> dict[str, str]:
        """No STT_ENGINE_* or PYTHON* of this process; the unit's data and cache dirs; the CPU."""
        drop = ("STT_ENGINE_", "XDG_", "PYTHON", "VIRTUAL_ENV")
        base = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        (self.root / "home").mkdir(exist_ok=True)
        return {
            **base,
            "HOME": str(self.root / "home"),
            "STT_ENGINE_DATA_DIR": str(self.data),
            "STT_ENGINE_CACHE_DIR": str(self.root / "cache"),
            "STT_ENGINE_DEVICE": "cpu",
            **extra,
        }

    def settings(self) -> dict[str, str]:
        lines = (self.prefix / "stt-engine.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def version(self) -> str:
        command = [self.stt, "--version"]
        result = subprocess.run(command, capture_output=True, text=True, env=self.env())
        return result.stdout.strip().rsplit(" ", 1)[-1] if result.returncode == 0 else "broken"

    def install(self, bundle: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        command = ["sh", str(bundle / "install.sh"), "--prefix", str(self.prefix), *extra]
        return subprocess.run(command, capture_output=True, text=True, timeout=900, env=self.env())
