"""`stt-engine batch --ray` on a local Ray: in-process results, a corrupt file, a killed actor."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "stt_engine.cli"]
MODEL = ["-m", "tiny.en", "-l", "en", "--device", "cpu", "--no-progress"]
CLIPS = ("LJ001-0001", "LJ001-0002", "LJ001-0004", "LJ001-0006")
ACTOR_TITLE = b"MapWorker(MapBatches(Transcriber))"


def _env() -> dict[str, str]:
    """int8 results on the CPU can change with the thread count: both modes use one thread."""
    return {**os.environ, "STT_ENGINE_CPU_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "batch", *args], capture_output=True, text=True, timeout=600, env=_env()
    )


def _texts(out: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.txt"))}


def _records(out: Path) -> list[dict[str, object]]:
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, audio_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    for name in CLIPS:
        shutil.copy(audio_dir / "en" / "ljspeech" / f"{name}.flac", folder)
    (folder / "corrupt.flac").write_bytes(b"fLaC" + os.urandom(2000))
    return folder


@pytest.mark.slow
def test_ray_batch_equals_in_process_and_reports_the_corrupt_file(
    tmp_path: Path, clips: Path, ray_address: str
) -> None:
    local = _batch(str(clips), "--out", str(tmp_path / "local"), *MODEL)
    assert local.returncode == 1, local.stderr
    on_ray = _batch(
        str(clips),
        "--out",
        str(tmp_path / "ray"),
        *MODEL,
        "--ray",
        ray_address,
        "--workers",
        "2",
        "--cpus-per-worker",
        "0.5",
    )
    assert on_ray.returncode == 1, on_ray.stderr
    assert "files: 5 (4 transcribed, 0 already done, 1 failed)" in on_ray.stderr
    assert _texts(tmp_path / "ray") == _texts(tmp_path / "local")
    assert len(_texts(tmp_path / "ray")) == len(CLIPS)
    records = {r["key"]: r for r in _records(tmp_path / "ray")}
    assert len(records) == len(CLIPS) + 1
    assert records["corrupt"]["status"] == "error" and records["corrupt"]["error"]
    assert all(r["status"] == "ok" for k, r in records.items() if k != "corrupt")


@pytest.mark.slow
def test_a_killed_actor_loses_no_file_and_writes_none_twice(
    tmp_path: Path, clips: Path, ray_address: str
) -> None:
    out = tmp_path / "out"
    args = [*CLI, "batch", str(clips), "--out", str(out), *MODEL, "--ray", ray_address]
    run = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env()
    )
    deadline = time.monotonic() + 300
    while not _journal(out) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    actors = _actor_pids()
    assert run.poll() is None and actors, "the run ended before an actor could be killed"
    for pid in actors:
        os.kill(pid, signal.SIGKILL)
    _, stderr = run.communicate(timeout=400)
    assert run.returncode == 1, stderr  # the corrupt file
    assert "files: 5 (4 transcribed, 0 already done, 1 failed)" in stderr
    for name in CLIPS:  # each written exactly once, none lost
        assert stderr.count(f"done: {clips / name}.flac ->") == 1, stderr
        assert (out / f"{name}.txt").read_text().strip()
    assert len(_records(out)) == len(CLIPS) + 1
    assert not set(actors) & set(_actor_pids())  # the killed process was replaced


def test_a_pool_that_leaves_no_cpu_to_decode_is_refused(
    tmp_path: Path, clips: Path, ray_address: str
) -> None:
    args = ["--ray", ray_address, "--workers", "2", "--cpus-per-worker", "1"]
    result = _batch(str(clips), "--out", str(tmp_path / "out"), *MODEL, *args)
    assert result.returncode == 2, result.stderr
    assert "leave no CPU to decode on: the cluster has 2" in result.stderr
    assert "Traceback" not in result.stderr
    gpus = ["--ray", ray_address, "--gpus-per-worker", "1", "--cpus-per-worker", "0.5"]
    result = _batch(str(clips), "--out", str(tmp_path / "out"), *MODEL, *gpus)
    assert result.returncode == 2 and "do not fit the cluster's 0 GPU(s)" in result.stderr


def _journal(out: Path) -> list[str]:
    path = out / "results.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def _actor_pids() -> list[int]:
    """The model-holding Ray Data actors of this test's Ray: its raylet's children so titled."""
    import ray

    node = ray._private.worker._global_node
    raylets = {str(p.process.pid) for p in node.all_processes["raylet"]}
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if ACTOR_TITLE in cmdline and parent in raylets:
            pids.append(int(entry.name))
    return pids
