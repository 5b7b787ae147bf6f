"""Realtime latency: stream real speech at 1x to ``/v1/realtime`` and print the figures.

::

    python -m stt_engine.bench.realtime_latency --turns 20            # one session
    python -m stt_engine.bench.realtime_latency --sessions 8 --turns 4 --file-request
    python -m stt_engine.bench.realtime_latency --turns 10 --semantic auto    # semantic_vad

Clips of the corpus (``--audio``, manifest.jsonl, ``--language``) are joined with 1.5 s of
silence, one turn each. Per turn it records speech start -> first delta and end of speech ->
``completed`` (client clock, see realtime.client), and prints p50/p95 over all turns, the
first delta of each clip counted from the clip's own first sound (not from the turn's
``audio_start_ms``, which server_vad puts ``prefix_padding_ms`` before the speech it
detected), the
completed latency of the first and last turns (a growing lag shows there), and /health's
response times while the sessions run, and the error rate (CER for Korean, WER otherwise) of
the first session's finals next to that of one offline request for the same joined audio,
and that of its deltas (the live text as sent, which the final may correct). ``--texts FILE``
writes each turn's final and deltas as JSON lines. Wall time over audio time says whether
``--sessions N`` keep up at 1x. Without ``--url`` it starts a server on 127.0.0.1 with the
base model on this machine's default device.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio, wav_bytes
from stt_engine.bench.scoring import metrics_for, score
from stt_engine.realtime.client import StreamOptions, StreamResult, pcm16, stream_pcm

_GAP_SECONDS = 1.5


def corpus_clips(audio: Path, language: str, count: int) -> list[tuple[Path, str]]:
    """The first ``count`` clips of 3 to 9 s in ``language`` (sorted), with their texts."""
    rows = [json.loads(line) for line in (audio / "manifest.jsonl").read_text().splitlines()]
    fitting = [
        (audio / r["audio_filepath"], str(r["text"]))
        for r in rows
        if r.get("lang") == language and 3.0 <= float(r["duration"]) <= 9.0
    ]
    return sorted(fitting)[:count]


def _joined(clips: list[Path]) -> tuple[np.ndarray, list[int]]:
    """The clips with silence between them, and where each clip's speech begins (ms)."""
    gap = np.zeros(int(_GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    pieces, onsets, at = [gap], [], gap.size
    for clip in clips:
        audio = decode_audio(clip)
        onsets.append((at + speech_onset(audio)) * 1000 // SAMPLE_RATE)
        pieces += [audio, gap]
        at += audio.size + gap.size
    return np.concatenate(pieces), onsets


def speech_onset(audio: np.ndarray, below_peak_db: float = 35.0, floor_db: float = -50.0) -> int:
    """The first sample of the first 10 ms frame whose power is within ``below_peak_db`` of
    the loudest frame's (and above ``floor_db`` dBFS): where the clip's sound begins, found
    from its energy alone, independently of the server's voice detection."""
    frame = SAMPLE_RATE // 100
    frames = audio[: audio.size // frame * frame].reshape(-1, frame).astype(np.float64)
    if frames.size == 0:
        return 0
    power = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = power > max(floor_db, float(power.max()) - below_peak_db)
    return int(np.argmax(loud)) * frame


def _quantiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s (n={len(ordered)})"


async def _health_times(url: str, stop: asyncio.Event) -> list[float]:
    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/health")
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.5)
    return times


async def _file_request(url: str, key: str | None, clip: Path, language: str) -> float:
    started = time.perf_counter()
    await _transcribe(url, key, clip.name, clip.read_bytes(), language)
    return time.perf_counter() - started


async def _transcribe(url: str, key: str | None, name: str, data: bytes, language: str) -> str:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    fields = {"model": "whisper-1", "language": language, "response_format": "text"}
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        response = await client.post(
            "/v1/audio/transcriptions", headers=headers, files={"file": (name, data)}, data=fields
        )
    response.raise_for_status()
    return response.text


async def _accuracy(
    url: str, args: argparse.Namespace, joined: np.ndarray, result: StreamResult
) -> None:
    reference = " ".join(text for _, text in corpus_clips(args.audio, args.language, args.turns))
    offline = await _transcribe(url, args.api_key, "joined.wav", wav_bytes(joined), args.language)
    metric = metrics_for(args.language)[0].upper()
    texts = (result.text(), offline, _deltas(result))
    rates = [score(reference, text, args.language).primary.rate for text in texts]
    print(
        f"{metric} of the finals {rates[0]:.3f}, offline on the same audio {rates[1]:.3f}, "
        f"of the deltas {rates[2]:.3f}"
    )
    if args.texts is not None:
        turns = [t for t in result.turns.values() if t.completed is not None]
        lines = [
            json.dumps({"final": t.text, "deltas": t.deltas}, ensure_ascii=False) for t in turns
        ]
        args.texts.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _deltas(result: StreamResult) -> str:
    done = [t for t in result.turns.values() if t.completed is not None]
    return " ".join(t.deltas.strip() for t in done if t.deltas.strip())


async def _run(url: str, args: argparse.Namespace) -> None:
    clips = [path for path, _ in corpus_clips(args.audio, args.language, args.turns)]
    joined, onsets = _joined(clips)
    pcm = pcm16(joined)
    options = StreamOptions(
        url=url, api_key=args.api_key, language=args.language, speed=args.speed, timeout=600,
        diarize=args.diarize, eagerness=args.semantic,
    )  # fmt: skip
    stop = asyncio.Event()
    health = asyncio.ensure_future(_health_times(url, stop))
    sessions = [stream_pcm(pcm, options) for _ in range(args.sessions)]
    extra = [_file_request(url, args.api_key, clips[0], args.language)] if args.file_request else []
    started = time.perf_counter()
    results = await asyncio.gather(*sessions, *extra)
    stop.set()
    wall = time.perf_counter() - started
    audio_seconds = len(pcm) / 32000
    print(
        f"audio per session {audio_seconds:.1f} s, wall {wall:.1f} s ({wall / audio_seconds:.2f}x)"
    )
    streamed = [r for r in results if isinstance(r, StreamResult)]
    _report(streamed, await health)
    from_onset = [d for r in streamed for d in onset_latencies(r, onsets, args.speed)]
    print(f"clip's first sound -> first delta: {_quantiles(from_onset)}")
    if extra:
        print(f"file request alongside: {results[-1]:.2f} s for {clips[0].name}")
    await _accuracy(url, args, joined, streamed[0])


def onset_latencies(result: StreamResult, onsets: list[int], speed: float) -> list[float]:
    """For each clip, its first delta's time after the clip's first sound was sent (the
    first delta of the turns that start from a gap before its onset to a gap before the
    next clip's)."""
    latencies = []
    for index, onset in enumerate(onsets):
        low = onset - 1000 * _GAP_SECONDS
        high = onsets[index + 1] - 1000 * _GAP_SECONDS if index + 1 < len(onsets) else None
        firsts = [
            t.first_delta for t in result.turns.values()
            if t.audio_start_ms is not None and t.first_delta is not None
            and low <= t.audio_start_ms and (high is None or t.audio_start_ms < high)
        ]  # fmt: skip
        if firsts:
            latencies.append(min(firsts) - (result.started + onset / 1000 / speed))
    return latencies


def _report(results: list[StreamResult], health: list[float]) -> None:
    # turns the server found (a commit of the silent tail at the end has no speech start)
    turns = [t for r in results for t in r.turns.values() if t.speech_start is not None]
    firsts = [t.first_delta_latency for t in turns if t.first_delta_latency is not None]
    dones = [t.completed_latency for t in turns if t.completed_latency is not None]
    print(
        f"sessions {len(results)}, turns {len(turns)}, errors {sum(len(r.errors) for r in results)}"
    )
    print(f"audio_start_ms -> first delta: {_quantiles(firsts)}")
    print(f"end of speech -> completed:    {_quantiles(dones)}")
    for label, pick in (("first", 0), ("last", -1)):
        spoken = [[t for t in r.turns.values() if t.speech_start is not None] for r in results]
        per = [s[pick].completed_latency for s in spoken if s]
        got = [p for p in per if p is not None]
        print(f"{label} turn of each session -> completed: {_quantiles(got)}")
    print(f"/health while streaming:       {_quantiles(health)}")
    labelled = [t.speaker for t in turns if t.speaker is not None]
    if labelled:
        print(f"speakers: {len(set(labelled))} labels on {len(labelled)} of {len(turns)} turns")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="server (default: start one here)")
    parser.add_argument("--api-key")
    parser.add_argument("--audio", type=Path, default=Path("../shared/audio"))
    parser.add_argument("--language", default="ko")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--file-request", action="store_true")
    parser.add_argument("--speed", type=float, default=1.0, help="x real time (latency: 1)")
    parser.add_argument("--diarize", action="store_true", help="ask for speaker labels")
    parser.add_argument(
        "--semantic",
        choices=("low", "medium", "auto", "high"),
        help="semantic_vad at this eagerness (default: server_vad, 500 ms)",
    )
    parser.add_argument("--texts", type=Path, help="write each turn's final and deltas here")
    args = parser.parse_args()
    if args.url:
        asyncio.run(_run(args.url, args))
        return
    from stt_engine.bench.local_server import BackgroundServer
    from stt_engine.config import Settings
    from stt_engine.server import create_app

    base = Path(tempfile.mkdtemp(prefix="stt-bench-"))
    folders = {name: base / name for name in ("models_dir", "cache_dir", "data_dir")}
    settings = Settings.model_validate(folders)
    with BackgroundServer(create_app(settings)) as server:
        server.wait_ready()
        asyncio.run(_run(server.url, args))


if __name__ == "__main__":
    main()
