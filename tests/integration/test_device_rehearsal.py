"""The GPU proof rehearsed on the CPU, end to end (scripts/device/README.md).

prepare.py builds the carry folders from the packaged base weights (as a Hugging Face
checkpoint) and real clips, in slices small enough that the payload takes several calls;
rehearse.py makes every call as the run tool would, with ``--device cpu`` in place of
``--device cuda``: the slices are laid down, joined and checked, a real ``stt-engine serve
--backend torch`` transcribes JFK and a Korean clip over HTTP, ``stt-engine check
--expect-device cpu`` passes, and ``bench load`` measures throughput at batch sizes 1 and 4.
Wheels are left out: this machine's Python already has them (and may not be 3.12).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVICE = ROOT / "scripts" / "device"
pytestmark = pytest.mark.slow


def _free_base_port() -> int:
    """A port P with P, P + 11 and P + 12 free (the proof's main and throughput servers)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base < 60000 and all(_free(base + offset) for offset in (11, 12)):
            return base
    raise RuntimeError("no free ports for the proof's servers")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1500)  # fmt: skip


def test_cpu_rehearsal_serves_checks_and_measures(tmp_path: Path, audio_dir: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), STT_DEVICE_PORT=str(_free_base_port()))
    out = tmp_path / ".device"
    prepared = _python(str(DEVICE / "prepare.py"), "--out", str(out), "--audio", str(audio_dir),
                       "--skip-wheels", "--part-mib", "40", env=env)  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    calls = json.loads((out / "calls.json").read_text())
    assert len(calls) >= 3 and calls[-1]["command"].endswith("proof.sh --device cuda")

    work = tmp_path / "work"
    rehearsal = _python(str(DEVICE / "rehearse.py"), "--calls", str(out / "calls.json"),
                        "--work", str(work), env=env)  # fmt: skip
    log = (work / f"out-{len(calls)}" / "proof.log").read_text("utf-8")
    assert rehearsal.returncode == 0, rehearsal.stdout[-4000:]
    assert "payload.tar.xz: OK" in log and "match SHA256SUMS" in log
    assert "Device: cpu (float32" in log and "--- device_line: PASS" in log
    assert "ask not what your country can do for you" in log.lower()
    assert "korean: lmy01002.flac" in log and "CER " in log
    assert "PASS: http://127.0.0.1:" in log and "device         PASS" in log
    table = log.split("throughput against batch size, served on cpu:\n")[1].splitlines()
    assert table[0].startswith("batch size  clients  audio s/s")
    assert table[1].split()[:2] == ["1", "4"] and table[2].split()[:2] == ["4", "4"]
    assert all(float(row.split()[2]) > 0 for row in table[1:3])
    assert "PROOF PASSED on cpu" in log
