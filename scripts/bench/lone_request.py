"""One request on an idle server, and where its time goes.

Each round sends the clip once through the HTTP server (multipart upload, JSON answer, as a
client would), once through the engine directly, and then times the phases one by one on the
same loaded model: audio decode, VAD, features, encoder, decoder (``decode_batch`` less its
encoder pass; every temperature the request needed). "the rest" is the request's time less
those phases: request handling, batcher waits, thread hand-offs, guards.

    STT_ENGINE_FITTED_WINDOWS=all .venv/bin/python scripts/bench/lone_request.py \\
        [--rounds 10] [--audio FILE] [--language ko]

CTranslate2 models only (the encoder is timed through its ``encode``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from stt_engine.audio import decode_audio
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.engine.batcher import _fitted
from stt_engine.engine.contract import (
    ENCODER_FRAMES,
    ChunkInput,
    DecodeOptions,
    fitted_frames,
)
from stt_engine.engine.transcription import needs_fallback
from stt_engine.engine.vad import VadSettings, speech_chunks
from stt_engine.server import create_app

T = TypeVar("T")
CORPUS = Path(__file__).resolve().parents[2] / "../shared/audio"
DEFAULT_AUDIO = CORPUS / "ko/emotiontts/Emotional/emotional-to-emotional/nea/nea00103.flac"
PHASES = ("audio decode", "VAD", "features", "encoder", "decoder")


def timed(call: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def served(client: httpx.Client, path: Path, language: str) -> float:
    def post() -> httpx.Response:
        return client.post(
            "/v1/audio/transcriptions",
            files={"file": (path.name, path.read_bytes(), "audio/flac")},
            data={"model": "whisper-1", "language": language},
        )

    seconds, response = timed(post)
    response.raise_for_status()
    return seconds


def phases(engine: Engine, backend: Any, path: Path, language: str) -> dict[str, float]:
    """Each phase of the request's work, timed alone on the loaded model."""
    took: dict[str, float] = dict.fromkeys(PHASES, 0.0)
    took["audio decode"], audio = timed(lambda: decode_audio(path))
    took["VAD"], chunks = timed(lambda: speech_chunks(audio, VadSettings()))
    fitted = _fitted(engine.settings.fitted_windows, "request")
    options = TranscribeOptions(language=language)
    for chunk in chunks:
        frames = fitted_frames(chunk.seconds) if fitted else ENCODER_FRAMES
        seconds, features = timed(lambda a=chunk.audio, f=frames: backend.features(a, f))
        took["features"] += seconds
        for step in range(len(options.temperature)):
            decode = DecodeOptions.for_request(options, language, step)
            took["encoder"] += timed(lambda f=features: backend._model.encode(f[None]))[0]
            seconds, results = timed(
                lambda f=features, c=chunk, d=decode: backend.decode_batch(
                    [ChunkInput(f, c.seconds)], d
                )
            )
            took["decoder"] += seconds
            if not needs_fallback(results[0], options):
                break
    took["decoder"] -= took["encoder"]  # decode_batch encodes too
    return took


def p50(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--language", default="ko")
    args = parser.parse_args()
    settings = Settings(upload_dir=Path(tempfile.mkdtemp()))
    engine = Engine(settings)
    info = engine.registry.resolve(None)
    with BackgroundServer(create_app(settings, engine)) as server:
        server.wait_ready()
        with (
            httpx.Client(base_url=server.url, timeout=600) as client,
            engine.pool.acquire(info.name, info.path) as backend,
        ):
            options = TranscribeOptions(language=args.language)
            served(client, args.audio, args.language)  # warm up every path
            text = engine.transcribe_file(args.audio, options).text
            phases(engine, backend, args.audio, args.language)
            http: list[float] = []
            direct: list[float] = []
            parts: dict[str, list[float]] = {name: [] for name in PHASES}
            for _ in range(args.rounds):
                http.append(served(client, args.audio, args.language))
                direct.append(timed(lambda: engine.transcribe_file(args.audio, options))[0])
                for name, seconds in phases(engine, backend, args.audio, args.language).items():
                    parts[name].append(seconds)
    report(args, engine, text, http, direct, parts)


def report(
    args: argparse.Namespace,
    engine: Engine,
    text: str,
    http: list[float],
    direct: list[float],
    parts: dict[str, list[float]],
) -> None:
    print(f"audio: {args.audio.name}; {engine.device.log_line()}")
    print(
        f"fitted_windows={engine.settings.fitted_windows} batch_wait_ms="
        f"{engine.settings.batch_wait_ms}; text: {text}"
    )
    print(f"| phase | p50 of {args.rounds} (s) |")
    print("|---|---|")
    for name, values in parts.items():
        print(f"| {name} | {p50(values):.3f} |")
    model = sum(p50(parts[name]) for name in PHASES)
    print(f"| the rest (HTTP total less the phases) | {p50(http) - model:.3f} |")
    print(f"| **HTTP request, total** | **{p50(http):.3f}** (min {min(http):.3f}) |")
    print(f"| engine.transcribe_file, total | {p50(direct):.3f} (min {min(direct):.3f}) |")


if __name__ == "__main__":
    main()
