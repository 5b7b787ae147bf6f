"""A long recording as a job: progress over time, the server's peak memory, wall time, RTFx.

Builds a recording in /tmp from the corpus' long files (the 10-minute Korean and 5-minute
English reads, repeated), starts ``stt-engine serve`` as a process, submits the file as a job
(JSON naming it in the jobs input folder), polls progress every ``--poll`` seconds and prints
it with the server's resident memory, then reports peak RSS (VmHWM) and timings.

    .venv/bin/python scripts/bench/long_job.py --repeat 4 --poll 30 --out /tmp/long_job.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
AUDIO = (ROOT / ".." / "shared" / "audio").resolve()
PARTS = ("ko/derived/long_ko_emotiontts_lmy_10min.flac", "en/derived/long_en_read_mix.flac")


def build_recording(path: Path, repeat: int) -> float:
    """Write the parts ``repeat`` times over as one 16 kHz mono FLAC; returns its seconds."""
    import av

    from stt_engine.audio import SAMPLE_RATE, decode_audio

    parts = [decode_audio(AUDIO / name) for name in PARTS]
    samples = np.concatenate(parts * repeat)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=SAMPLE_RATE, layout="mono")
        assert isinstance(stream, av.AudioStream)
        for start in range(0, pcm.size, SAMPLE_RATE * 10):
            frame = av.AudioFrame.from_ndarray(
                pcm[None, start : start + SAMPLE_RATE * 10], format="s16", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return samples.size / SAMPLE_RATE


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a process, in KiB."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STT_ENGINE_DATA_DIR": str(folder / "data"),
        "STT_ENGINE_JOBS_INPUT_DIR": str(folder / "inputs"),
        "STT_ENGINE_DEVICE": os.environ.get("STT_ENGINE_DEVICE", "cpu"),
    }
    command = [sys.executable, "-m", "stt_engine.cli", "serve", "--host", "127.0.0.1"]
    log = (folder / "server.log").open("wb")
    return subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=log)


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    while True:
        if process.poll() is not None:
            raise SystemExit("the server exited; see server.log")
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)


def follow(url: str, job_id: str, pid: int, poll: float) -> tuple[dict[str, object], list[dict]]:
    samples: list[dict] = []
    began = time.monotonic()
    while True:
        job = httpx.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()
        progress, memory = job["progress"], memory_kib(pid)
        sample = {
            "elapsed_s": round(time.monotonic() - began, 1),
            "status": job["status"],
            "seconds_done": progress["seconds_done"],
            "fraction": progress["fraction"],
            "rss_mib": round(memory["VmRSS"] / 1024, 1),
        }
        samples.append(sample)
        print(json.dumps(sample), flush=True)
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job, samples
        time.sleep(poll)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=4, help="Times the 15 minutes repeat.")
    parser.add_argument("--poll", type=float, default=30.0, help="Seconds between polls.")
    parser.add_argument("--out", type=Path, help="Write the summary JSON here.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stt-long-job-"))
    (folder / "inputs").mkdir()
    seconds = build_recording(folder / "inputs" / "long.flac", args.repeat)
    print(f"recording: {seconds / 60:.1f} min in {folder / 'inputs' / 'long.flac'}", flush=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = start_server(folder, port)
    try:
        wait_ready(url, server)
        submitted = time.monotonic()
        job = httpx.post(f"{url}/v1/jobs", json={"file": "long.flac"}, timeout=30).json()
        final, samples = follow(url, job["id"], server.pid, args.poll)
        wall = time.monotonic() - submitted
        peak = memory_kib(server.pid)["VmHWM"]
    finally:
        server.terminate()
        server.wait(60)
    processing = float(final["finished_at"]) - float(final["started_at"])  # type: ignore[arg-type]
    summary = {
        "audio_seconds": round(seconds, 1),
        "status": final["status"],
        "error": final["error"],
        "wall_seconds": round(wall, 1),
        "processing_seconds": round(processing, 1),
        "rtfx": round(seconds / processing, 2),
        "peak_rss_mib": round(peak / 1024, 1),
        "cpu_count": os.cpu_count(),
        "samples": samples,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "samples"}, indent=2))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
