"""The GPU proof's carrying (scripts/device): slices, staging, joining, and their failures.

Real archives cut into real slices, the real stage.sh and proof.sh under bash, and the
rehearsal's call runner; no model is served here (tests/integration/test_device_rehearsal.py
does that, end to end on the CPU).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVICE = ROOT / "scripts" / "device"
sys.path.insert(0, str(DEVICE))

import carry_parts  # noqa: E402
import rehearse  # noqa: E402
import throughput  # noqa: E402
import transcribe_check  # noqa: E402
import wheels  # noqa: E402


def _calls(tmp_path: Path, size: int = 4096) -> Path:
    """``tmp_path/.device`` with a random payload archive cut into 3 or more slices (random
    bytes do not compress; the tar adds its headers). Its one wheel is
    no zip, so a proof that gets past joining the payload stops at installing it."""
    payload = tmp_path / "payload"
    (payload / "audio").mkdir(parents=True)
    (payload / "wheels").mkdir()
    (payload / "audio" / "noise.bin").write_bytes(os.urandom(3 * size - 600))
    (payload / "wheels" / "broken-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    sums = [f"{carry_parts.file_sha256(payload / n)}  {n}\n"
            for n in ("audio/noise.bin", "wheels/broken-1.0-py3-none-any.whl")]  # fmt: skip
    (payload / "SHA256SUMS").write_text("".join(sums))
    out = tmp_path / ".device"
    out.mkdir()
    archive = carry_parts.make_archive(payload, out / carry_parts.ARCHIVE, 0)
    carry_parts.write_calls(out, carry_parts.cut_archive(archive, out, size))
    return out


def _bash(
    script: str, *args: str, cwd: Path, stage: Path, out: Path | None = None
) -> tuple[int, str]:
    env = dict(os.environ, STT_DEVICE_STAGE=str(stage), OUT=str(out or stage / "out"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", str(DEVICE / script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _stage_all(tmp_path: Path) -> int:
    """Make the calls and stage every slice in order; the number of calls."""
    calls = json.loads((_calls(tmp_path) / "calls.json").read_text())
    for k in range(1, len(calls) + 1):
        status, said = _bash(
            "stage.sh", f".device/call-{k}", cwd=tmp_path, stage=tmp_path / "stage"
        )
        assert status == 0, said
    return len(calls)


def test_slices_fit_and_the_last_call_runs_the_proof(tmp_path: Path) -> None:
    out = _calls(tmp_path)
    calls = json.loads((out / "calls.json").read_text())
    count = -(-(out / carry_parts.ARCHIVE).stat().st_size // 4096)
    assert count >= 3
    assert [c["carry"] for c in calls] == [[f".device/call-{k}"] for k in range(1, count + 1)]
    assert all("proof.sh" not in c["command"] for c in calls[:-1])
    assert calls[-1]["command"].endswith("&& bash scripts/device/proof.sh --device cuda")
    parts = sorted(out.glob("call-*/payload.tar.xz.part-*"))
    assert all(p.stat().st_size <= 4096 for p in parts)
    joined = b"".join(p.read_bytes() for p in parts)
    assert joined == (out / carry_parts.ARCHIVE).read_bytes()
    sums = (out / "call-2" / "parts.sha256").read_text().splitlines()
    assert [line.split()[1] for line in sums][-1] == carry_parts.ARCHIVE and len(sums) == count + 1


def test_stage_lays_slices_down_and_proof_joins_and_checks_them(tmp_path: Path) -> None:
    count = _stage_all(tmp_path)
    stage = tmp_path / "stage"
    said = _bash("stage.sh", f".device/call-{count}", cwd=tmp_path, stage=stage)[1]
    assert f"have {count} of {count}: part-01 part-02 part-03" in said
    status, said = _bash("proof.sh", "--device", "cpu", cwd=tmp_path, stage=stage)
    assert "payload.tar.xz: OK" in said and "all 2 payload files match SHA256SUMS" in said
    assert (stage / "payload" / "audio" / "noise.bin").is_file()
    assert "payload      PASS" in said and "wheels       FAIL" in said
    assert status == 1 and "PROOF FAILED on cpu" in said and "--- imports" not in said


def test_a_damaged_slice_is_refused(tmp_path: Path) -> None:
    out = _calls(tmp_path)
    part = next((out / "call-1").glob("*.part-01"))
    part.write_bytes(b"x" + part.read_bytes()[1:])
    status, said = _bash("stage.sh", ".device/call-1", cwd=tmp_path, stage=tmp_path / "stage")
    assert status == 2 and "payload.tar.xz.part-01 is damaged" in said


def test_a_lost_earlier_slice_means_starting_again(tmp_path: Path) -> None:
    _calls(tmp_path)
    status, said = _bash("stage.sh", ".device/call-2", cwd=tmp_path, stage=tmp_path / "stage")
    assert status == 3 and "part-01, from an earlier call, is gone" in said
    assert "start again from call 1" in said


def test_slices_of_another_prepare_are_cleared(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    (stage / "parts").mkdir(parents=True)
    (stage / "parts" / "parts.sha256").write_text("0  payload.tar.xz.part-01\n")
    (stage / "parts" / "payload.tar.xz.part-01").write_bytes(b"old")
    _calls(tmp_path)
    status, said = _bash("stage.sh", ".device/call-1", cwd=tmp_path, stage=stage)
    assert status == 0 and "holds slices of another prepare; clearing it" in said
    assert (stage / "parts" / "payload.tar.xz.part-01").stat().st_size > 3


def test_proof_without_every_slice_stops_at_the_payload(tmp_path: Path) -> None:
    _calls(tmp_path)
    stage = tmp_path / "stage"
    _bash("stage.sh", ".device/call-1", cwd=tmp_path, stage=stage)
    status, said = _bash("proof.sh", "--device", "cpu", cwd=tmp_path, stage=stage)
    assert status == 1
    assert "missing slices: payload.tar.xz.part-02 payload.tar.xz.part-03" in said
    assert "the machine was replaced; start again from call 1" in said
    assert "payload      FAIL" in said and "--- wheels" not in said
    assert "missing slices" in (stage / "out" / "proof.log").read_text()


def test_proof_refuses_a_payload_file_that_changed(tmp_path: Path) -> None:
    _stage_all(tmp_path)
    stage = tmp_path / "stage"
    _bash("proof.sh", "--device", "cpu", cwd=tmp_path, stage=stage)
    (stage / "payload" / "audio" / "noise.bin").write_bytes(b"changed")
    status, said = _bash("proof.sh", "--device", "cpu", cwd=tmp_path, stage=stage)
    assert status == 1 and "already joined" in said and "noise.bin: FAILED" in said


def test_proof_rejects_an_unknown_argument(tmp_path: Path) -> None:
    status, said = _bash("proof.sh", "--gpu", cwd=tmp_path, stage=tmp_path / "stage")
    assert status == 64 and "unknown argument --gpu" in said


def test_missing_pins_stop_at_what_the_device_has() -> None:
    pins = wheels.missing_pins(DEVICE / "device-packages.txt")
    present = wheels.device_names(DEVICE / "device-packages.txt")
    assert {"av", "ctranslate2", "faster-whisper", "fastapi", "uvicorn", "pydantic"} <= set(pins)
    assert not set(pins) & present
    assert "torch" in present and "huggingface-hub" in present


def test_stored_wheel_keeps_every_member(tmp_path: Path) -> None:
    source = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as wheel:
        wheel.writestr("demo/__init__.py", "x = 1\n" * 100)
        wheel.writestr("demo-1.0.dist-info/RECORD", "demo/__init__.py,,\n")
    stored = wheels.store_uncompressed(source, tmp_path / "stored.whl")
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(stored) as after:
        assert [(i.filename, before.read(i)) for i in before.infolist()] == [
            (i.filename, after.read(i)) for i in after.infolist()
        ]
        assert {i.compress_type for i in after.infolist()} == {zipfile.ZIP_STORED}


def test_transcript_checks() -> None:
    assert transcribe_check.check_jfk("And so, my fellow Americans: ask not what your country "
                                      "can do for you; ask...") is None  # fmt: skip
    assert transcribe_check.check_jfk("ask what you can do") is not None
    reference = "세계적으로 널리 알려진 아르헨티나의 민요 예술가예요."
    assert transcribe_check.check_korean(reference, reference, 0.5) is None
    assert "above 50%" in str(transcribe_check.check_korean("hello there", reference, 0.5))


def _load_result(ok: list[int]) -> dict[str, object]:
    urls = [f"http://127.0.0.1:{9000 + k}" for k in range(len(ok))]
    level = {"concurrency": 4, "throughput_audio_s_per_s": 2.5, "requests_per_second": 0.3,
             "latency_seconds": {"p50": 1.0, "p95": None}, "errors": {}}  # fmt: skip
    levels = {url: [{**level, "ok": n}] for url, n in zip(urls, ok, strict=True)}
    return {"settings": {"urls": urls}, "levels": levels}


def test_throughput_table_per_batch_size() -> None:
    text, empty = throughput.table(_load_result([5, 0]), [1, 4])
    assert text.splitlines()[1].startswith("         1        4       2.50") and empty
    with pytest.raises(SystemExit, match="2 URLs in the result but batch sizes"):
        throughput.table(_load_result([5, 5]), [1, 4, 16])


def test_rehearsal_stops_at_a_failing_call(tmp_path: Path) -> None:
    (tmp_path / "call-1").mkdir()
    calls = [{"carry": [".device/call-1"], "command": "exit 3", "timeout_s": 10},
             {"carry": [".device/call-1"], "command": "true", "timeout_s": 10}]  # fmt: skip
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    work = tmp_path / "work"
    assert rehearse.main(["--calls", str(tmp_path / "calls.json"), "--work", str(work)]) == 3
    assert (work / "out-1").is_dir() and not (work / "out-2").exists()


def test_rehearsal_refuses_a_call_over_the_limit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "call-1").mkdir()
    calls = [{"carry": [".device/call-1"], "command": "true", "timeout_s": 10}]
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    monkeypatch.setattr(rehearse, "CALL_LIMIT", 1000)
    assert (
        rehearse.main(["--calls", str(tmp_path / "calls.json"), "--work", str(tmp_path / "w")])
        == 70
    )
