"""Peak memory and speed of `stt-engine transcribe` on a long recording built from real speech.

Builds an N-hour FLAC by repeating the long Korean and English files of ../shared/audio (in a
temporary folder, never in the repository), transcribes it in a child process with the base
model, samples the child's resident memory every second, and prints peak RSS, wall time and
RTFx.

    .venv/bin/python scripts/bench/long_memory.py --hours 2
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "ko/derived/long_ko_emotiontts_lmy_10min.flac",
    "en/derived/long_en_read_mix.flac",
)


def build_recording(target: Path, hours: float, audio_dir: Path) -> float:
    """Write a FLAC of about ``hours`` from the long files; its length in seconds."""
    pieces = [decode_audio(audio_dir / name) for name in SOURCES]
    needed = int(hours * 3600 * SAMPLE_RATE)
    written = 0
    with av.open(str(target), "w") as out:
        stream = out.add_stream("flac", rate=SAMPLE_RATE)
        stream.layout = "mono"
        index = 0
        while written < needed:
            chunk = pieces[index % len(pieces)][: needed - written]
            pcm = (np.clip(chunk, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE, written
            out.mux(stream.encode(frame))
            written += chunk.size
            index += 1
        out.mux(stream.encode(None))
    return written / SAMPLE_RATE


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KiB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def transcribe_and_watch(recording: Path, out_dir: Path, language: str | None) -> tuple[float, int]:
    command = [
        sys.executable,
        "-m",
        "stt_engine.cli",
        "transcribe",
        str(recording),
        "-o",
        str(out_dir),
        "-f",
        "srt",
        "--no-progress",
        "--device",
        "cpu",
    ]
    if language:
        command += ["--language", language]
    started = time.perf_counter()
    child = subprocess.Popen(command)
    peak = 0
    while child.poll() is None:
        with contextlib.suppress(OSError, KeyError, ValueError):
            peak = max(peak, rss_kib(child.pid)[1])
        time.sleep(1.0)
    if child.returncode != 0:
        raise SystemExit(f"transcribe failed with exit code {child.returncode}")
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--audio-dir", type=Path, default=ROOT.parent / "shared" / "audio")
    parser.add_argument("--language", default=None, help="Language code (default: detect).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stt-long-") as tmp:
        recording = Path(tmp) / "long.flac"
        seconds = build_recording(recording, args.hours, args.audio_dir)
        print(f"recording: {seconds / 3600:.2f} h, {recording.stat().st_size / 1e6:.0f} MB FLAC")
        wall, peak_kib = transcribe_and_watch(recording, Path(tmp), args.language)
        cues = (Path(tmp) / "long.srt").read_text(encoding="utf-8").count(" --> ")
    print(f"wall time: {wall:.0f} s, RTFx {seconds / wall:.2f}, subtitle cues: {cues}")
    print(f"peak RSS of the transcribe process: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
