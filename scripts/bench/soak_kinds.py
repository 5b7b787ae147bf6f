"""Soak every request kind on one real server and report its memory growth per kind.

Starts ``stt-engine serve`` in a child process (its own data and upload folders), warms every
kind up once, then runs the kinds one after another, sampling the server's resident memory
(VmRSS) as it goes:

- ``files``: transcriptions of a short English clip (``--model``, tiny.en by default);
- ``sse``: the same with ``stream=true``, every event read;
- ``jobs``: a job submitted, polled until it ends, its result read, the job deleted;
- ``realtime``: a live session (manual turns) sent a short clip at 4x real time, committed,
  read until its ``completed``;
- ``diarized``: a two-voice Korean recording with ``diarize=true`` on ``--diarize-model``;
- ``refused``: half bad input (an unknown model, a broken file, a bad format, no file), half
  429s from bursts larger than the server's workers and queue.

A warm-up round runs first: a tenth of each kind's count (``--warmup``), at the kind's
concurrency. With ten requests per kind as the warm-up, a soak of 2,400 file requests saw RSS
rise 43 MiB in its first 60 requests and 7 MiB in the 2,340 after (docs/benchmarks.md): ten
were too few to reach the working set.
For each kind: RSS when it starts and ends, and the least-squares growth per 1,000 requests
over its samples after its first tenth. After the warm-up and after each kind the bench waits
until the server has been quiet for its ``heap_trim_idle_seconds`` and has handed its heap's
free pages back (``stt_heap_trims_total`` rises), then reads the idle RSS and the C heap's
bytes in use (``stt_heap_in_use_bytes``): what the server holds between bursts, without the
free pages a burst leaves. "in all" is the idle RSS at the end against the idle RSS after the
warm-up round, and the same for the heap in use.

    .venv/bin/python scripts/bench/soak_kinds.py --out out/soak_kinds.json
    .venv/bin/python scripts/bench/soak_kinds.py --scale 0.05   # a quick look
    MALLOC_ARENA_MAX=2 .venv/bin/python scripts/bench/soak_kinds.py --kinds files --scale 0.5

The counts default to the soak in docs/benchmarks.md (6,000 files, 2,000 streams, 500 jobs,
300 sessions, 200 diarized, 1,000 refused); ``--scale`` multiplies them all.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile as sf
from websockets.sync.client import connect

from stt_engine.audio import decode_audio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import rss_mib, start_server

AUDIO = Path(__file__).resolve().parents[2] / ".." / "shared" / "audio"
ENGLISH = AUDIO / "en" / "pocketsphinx" / "sense_and_sensibility_01_austen_64kb-0880.flac"
VOICES = AUDIO / "ko" / "emotiontts" / "Emotional" / "emotional-to-emotional"
TWO_VOICES = (VOICES / "nea" / "nea00002.flac", VOICES / "neb" / "neb00001.flac")
COUNTS = {"files": 6000, "sse": 2000, "jobs": 500, "realtime": 300, "diarized": 200}
REFUSED = 1000
WORKERS, QUEUE = 2, 2  # the server's; a burst of BURST is larger than both
BURST = 12
COMPLETED = "conversation.item.input_audio_transcription.completed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STT_ENGINE_DATA_DIR": str(folder / "data"),
        "STT_ENGINE_UPLOAD_DIR": str(folder / "uploads"),
        "STT_ENGINE_WORKERS": str(WORKERS),
        "STT_ENGINE_QUEUE_SIZE": str(QUEUE),
    }


def two_voice_flac() -> bytes:
    """The two Korean voices one after the other, 0.6 s apart, as FLAC."""
    first, second = (decode_audio(path) for path in TWO_VOICES)
    audio = np.concatenate([first, np.zeros(9600, dtype=np.float32), second])
    out = io.BytesIO()
    sf.write(out, audio, 16000, format="FLAC")
    return out.getvalue()


def pcm24k(path: Path) -> bytes:
    audio = decode_audio(path)
    positions = np.arange(int(audio.size * 1.5)) / 1.5
    resampled = np.interp(positions, np.arange(audio.size), audio)
    return (np.clip(resampled, -1, 1) * 32767).astype("<i2").tobytes()


class Kinds:
    """One request of each kind, each returning how it was answered (a short label)."""

    def __init__(self, url: str, model: str, diarize_model: str) -> None:
        self.url, self.model, self.diarize_model = url, model, diarize_model
        self.http = httpx.Client(base_url=url, timeout=300, limits=httpx.Limits(max_connections=32))
        self.clip = ENGLISH.read_bytes()
        self.conversation = two_voice_flac()
        self.live = pcm24k(ENGLISH)
        self.refusals = 0

    def files(self) -> str:
        response = self._transcribe(self.model, self.clip)
        return str(response.status_code)

    def sse(self) -> str:
        data = {"model": self.model, "stream": "true"}
        files = {"file": ("clip.flac", self.clip)}
        with self.http.stream("POST", "/v1/audio/transcriptions", data=data, files=files) as reply:
            body = reply.read().decode()
        return "200" if reply.status_code == 200 and "transcript.text.done" in body else "bad"

    def jobs(self) -> str:
        files = {"file": ("clip.flac", self.clip)}
        submitted = self.http.post("/v1/jobs", data={"model": self.model}, files=files)
        if submitted.status_code != 202:
            return str(submitted.status_code)
        job = submitted.json()
        while job["status"] in ("queued", "running"):
            time.sleep(0.05)
            job = self.http.get(f"/v1/jobs/{job['id']}").json()
        result = self.http.get(f"/v1/jobs/{job['id']}/result")
        self.http.delete(f"/v1/jobs/{job['id']}")
        return str(result.status_code) if job["status"] == "succeeded" else job["status"]

    def realtime(self) -> str:
        url = self.url.replace("http://", "ws://") + "/v1/realtime?intent=transcription"
        session = {"type": "transcription", "audio": {"input": {
            "transcription": {"model": self.model, "language": "en"},
            "turn_detection": None}}}  # fmt: skip
        with connect(url) as ws:
            ws.send(json.dumps({"type": "session.update", "session": session}))
            step = 4800  # 100 ms at 24 kHz, sent every 25 ms: 4x real time
            for start in range(0, len(self.live), step):
                audio = base64.b64encode(self.live[start : start + step]).decode()
                ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
                time.sleep(0.025)
            ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
            while True:
                event = json.loads(ws.recv(timeout=120))
                if event["type"] in (COMPLETED, "error"):
                    return "200" if event["type"] == COMPLETED else event["error"]["code"]

    def diarized(self) -> str:
        data = {"diarize": "true", "response_format": "diarized_json"}
        response = self._transcribe(self.diarize_model, self.conversation, data)
        if response.status_code != 200:
            return str(response.status_code)
        speakers = {segment.get("speaker") for segment in response.json()["segments"]}
        return "200" if len(speakers) == 2 else f"{len(speakers)} speakers"

    def refused(self) -> str:
        self.refusals += 1
        if self.refusals % 2:
            return self._bad_input(self.refusals // 2 % 4)
        with ThreadPoolExecutor(BURST) as pool:  # a burst: some are 429
            answers = list(pool.map(lambda _: self.files(), range(BURST)))
        return "429" if "429" in answers else "no 429 in a burst"

    def _bad_input(self, which: int) -> str:
        if which == 0:
            response = self._transcribe("no-such-model", self.clip)
        elif which == 1:
            response = self._transcribe(self.model, b"not audio at all" * 64)
        elif which == 2:
            response = self._transcribe(self.model, self.clip, {"response_format": "pdf"})
        else:
            response = self.http.post("/v1/audio/transcriptions", data={"model": self.model})
        return str(response.status_code)

    def _transcribe(self, model: str, audio: bytes, data: dict[str, str] | None = None) -> Any:
        form = {"model": model, **(data or {})}
        files = {"file": ("clip.flac", audio)}
        return self.http.post("/v1/audio/transcriptions", data=form, files=files)


def settled(url: str, pid: int, wait: float = 120.0) -> dict[str, float]:
    """The idle RSS and heap in use once the server's next idle trim has run."""

    def figures() -> tuple[float, float]:
        text = httpx.get(url + "/metrics", timeout=30).text
        found = {
            name: float(match.group(1))
            for name in ("stt_heap_trims_total", "stt_heap_in_use_bytes")
            if (match := re.search(rf"^{name} ([0-9.e+]+)$", text, re.M))
        }
        return found.get("stt_heap_trims_total", 0.0), found.get("stt_heap_in_use_bytes", 0.0)

    trims, _ = figures()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now, in_use = figures()
        if now > trims:
            return {"rss_mib": round(rss_mib(pid), 1), "heap_in_use_mib": round(in_use / 2**20, 1)}
    raise SystemExit(f"the server did not trim its heap within {wait:.0f} s of going quiet")


def run_kind(
    kind: Callable[[], str], count: int, clients: int, pid: int, samples: int = 40
) -> dict[str, Any]:
    """``count`` requests from ``clients`` threads; RSS sampled about ``samples`` times."""
    answers: Counter[str] = Counter()
    rss: list[tuple[int, float]] = [(0, rss_mib(pid))]
    every = max(1, count // samples)
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for done, answer in enumerate(pool.map(lambda _: kind(), range(count)), 1):
            answers[answer] += 1
            if done % every == 0 or done == count:
                rss.append((done, rss_mib(pid)))
    settled = [(n, mib) for n, mib in rss if n >= count // 10]
    slope = statistics.linear_regression([n for n, _ in settled], [m for _, m in settled]).slope
    return {
        "requests": count,
        "clients": clients,
        "seconds": round(time.monotonic() - started, 1),
        "answers": dict(answers),
        "rss_start_mib": round(rss[0][1], 1),
        "rss_end_mib": round(rss[-1][1], 1),
        "growth_mib": round(rss[-1][1] - rss[0][1], 1),
        "growth_per_1000_mib": round(slope * 1000, 2),
        "rss_mib": [(n, round(m, 1)) for n, m in rss],
    }


def plan(scale: float, kinds: list[str]) -> list[tuple[str, int, int]]:
    """(kind, count, clients) in the order run."""
    clients = {"files": 3, "sse": 3, "jobs": 2, "realtime": 2, "diarized": 2, "refused": 1}
    counts = {**COUNTS, "refused": REFUSED}
    chosen = [kind for kind in counts if kind in kinds]
    return [(kind, max(10, round(counts[kind] * scale)), clients[kind]) for kind in chosen]


def warmup_count(count: int, share: float) -> int:
    """Requests of one kind in the warm-up round: the heap reaches the working set of the
    kind's concurrency there (batches of every size the clients form, every buffer size), so
    what grows after it is what the server keeps, not what it needs."""
    return max(10, round(count * share))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en", help="the model for the request path")
    parser.add_argument("--diarize-model", default="base")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    parser.add_argument(
        "--kinds",
        type=lambda text: text.split(","),
        default=[*COUNTS, "refused"],
        help="comma-separated kinds to run (default: all)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=0.1,
        help="the warm-up round runs this share of each kind's count first (at least 10)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    port, folder = free_port(), Path(tempfile.mkdtemp(prefix="soak-"))
    server = start_server(port, [], server_env(folder), folder / "server.log")
    kinds = Kinds(f"http://127.0.0.1:{port}", args.model, args.diarize_model)
    steps = plan(args.scale, args.kinds)
    result: dict[str, Any] = {"server_log": str(folder / "server.log"), "kinds": {}}
    result["env"] = {k: v for k, v in os.environ.items() if k.startswith(("MALLOC", "STT_"))}
    try:
        result["rss_start_mib"] = round(rss_mib(server.pid), 1)
        for name, count, clients in steps:  # the warm-up round, each kind at its clients
            run_kind(getattr(kinds, name), warmup_count(count, args.warmup), clients, server.pid)
        result["rss_after_warmup_mib"] = round(rss_mib(server.pid), 1)
        idle = result["idle_after_warmup"] = settled(kinds.url, server.pid)
        print(f"warm: RSS {result['rss_after_warmup_mib']} MiB, idle {idle}", flush=True)
        for name, count, clients in steps:
            figures = run_kind(getattr(kinds, name), count, clients, server.pid)
            before, idle = idle, settled(kinds.url, server.pid)
            figures["idle_before"], figures["idle_after"] = before, idle
            figures["idle_growth_mib"] = round(idle["rss_mib"] - before["rss_mib"], 1)
            figures["heap_growth_mib"] = round(
                idle["heap_in_use_mib"] - before["heap_in_use_mib"], 1
            )
            result["kinds"][name] = figures
            print(
                f"{name}: {count} in {figures['seconds']} s, {figures['answers']}, RSS "
                f"{figures['rss_start_mib']} -> {figures['rss_end_mib']} MiB, "
                f"{figures['growth_per_1000_mib']} MiB per 1000; idle RSS "
                f"{figures['idle_growth_mib']:+} MiB, heap in use "
                f"{figures['heap_growth_mib']:+} MiB",
                flush=True,
            )
        result["rss_end_mib"] = round(rss_mib(server.pid), 1)
        result["idle_end"] = idle
        start = result["idle_after_warmup"]
        result["growth_after_warmup_mib"] = round(idle["rss_mib"] - start["rss_mib"], 1)
        result["heap_growth_after_warmup_mib"] = round(
            idle["heap_in_use_mib"] - start["heap_in_use_mib"], 1
        )
        print(
            f"in all: idle RSS {result['growth_after_warmup_mib']:+} MiB, heap in use "
            f"{result['heap_growth_after_warmup_mib']:+} MiB after the warm-up",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
