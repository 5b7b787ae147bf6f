"""The post-deployment proof: does the server at a URL really transcribe?

Steps, in order: liveness, readiness, device, models, transcription of the sample clip that
ships inside the package, the word error rate of that transcript against its known text, and
the same clip streamed to ``/v1/realtime`` (at 4x speed) with the word error rate of its turns.
A step that cannot run because an earlier one failed is reported as skipped.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

SAMPLE_PACKAGE = "stt_engine"
SAMPLE_INFO = "data/check_sample.json"
_REALTIME_SPEED = 4.0


@dataclass(frozen=True, slots=True)
class CheckOptions:
    url: str
    api_key: str | None = None
    model: str = "whisper-1"
    max_wer: float = 0.3
    timeout: float = 120.0
    wait_ready: float = 0.0  # seconds to keep polling readiness
    expect_device: str | None = None  # "cuda" or "cpu"


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    status: str  # "pass", "fail" or "skip"
    seconds: float
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "pass"


class _Failed(Exception):
    """A step failed; the message says why."""


@dataclass(frozen=True, slots=True)
class Sample:
    audio: bytes
    filename: str
    language: str
    text: str


def load_sample() -> Sample:
    root = resources.files(SAMPLE_PACKAGE)
    info = json.loads(root.joinpath(SAMPLE_INFO).read_text("utf-8"))
    audio = root.joinpath("data", info["file"]).read_bytes()
    return Sample(audio, info["file"], info["language"], info["text"])


def word_error_rate(reference: str, hypothesis: str, language: str = "en") -> float:
    """WER with the benchmark's normalisation for the language (the one scorer)."""
    from stt_engine.bench.scoring import score

    return score(reference, hypothesis, language).counts[0].rate


class Checker:
    """Runs the steps against one server with one httpx client."""

    def __init__(self, options: CheckOptions, client: httpx.Client):
        self.options = options
        self.client = client
        self.health: dict[str, Any] = {}
        self.transcript = ""

    def run(self) -> list[Step]:
        steps: list[Step] = []
        plan: list[tuple[str, Callable[[], str]]] = [
            ("liveness", self.liveness),
            ("readiness", self.readiness),
            ("device", self.device),
            ("models", self.models),
            ("transcription", self.transcription),
            ("accuracy", self.accuracy),
            ("realtime", self.realtime),
        ]
        failed: str | None = None
        for name, step in plan:
            if failed is not None:
                steps.append(Step(name, "skip", 0.0, f"skipped: {failed} failed"))
                continue
            steps.append(_timed(name, step))
            failed = None if steps[-1].ok else name
        return steps

    def _headers(self) -> dict[str, str]:
        key = self.options.api_key
        return {"Authorization": f"Bearer {key}"} if key else {}

    def liveness(self) -> str:
        response = self.client.get("/health")
        if response.status_code != 200:
            raise _Failed(f"/health answered {response.status_code}")
        self.health = response.json()
        return f"/health: {self.health.get('status', '?')}, version {self.health.get('version')}"

    def readiness(self) -> str:
        deadline = time.monotonic() + self.options.wait_ready
        while True:
            response = self.client.get("/health/ready")
            body = response.json() if response.content else {}
            if response.status_code == 200:
                self.health = body or self.health
                return str(body.get("reason") or "ready")
            if time.monotonic() >= deadline:
                raise _Failed(f"not ready ({response.status_code}): {body.get('reason', '?')}")
            time.sleep(1.0)

    def device(self) -> str:
        device = self.health.get("device")
        if not device:
            raise _Failed("the server does not report its device")
        described = f"{device} ({self.health.get('compute_type')})"
        if self.health.get("device_name"):
            described = (
                f"{device} ({self.health['device_name']}, {self.health.get('compute_type')})"
            )
        expected = self.options.expect_device
        if expected and device != expected:
            reason = self.health.get("device_reason") or "no reason given"
            raise _Failed(f"runs on {described}, expected {expected}: {reason}")
        return described

    def models(self) -> str:
        response = self.client.get("/v1/models", headers=self._headers())
        _raise_for_error(response)
        ids = [m["id"] for m in response.json().get("data", [])]
        if not ids:
            raise _Failed("the server lists no models")
        return ", ".join(ids)

    def transcription(self) -> str:
        sample = load_sample()
        response = self.client.post(
            "/v1/audio/transcriptions",
            headers=self._headers(),
            files={"file": (sample.filename, sample.audio, "audio/ogg")},
            data={"model": self.options.model, "language": sample.language},
            timeout=self.options.timeout,
        )
        _raise_for_error(response)
        self.transcript = str(response.json().get("text", ""))
        return f'"{self.transcript}"'

    def accuracy(self) -> str:
        wer = word_error_rate(load_sample().text, self.transcript)
        verdict = f"WER {wer:.1%} (at most {self.options.max_wer:.0%})"
        if wer > self.options.max_wer:
            raise _Failed(f'{verdict}; expected "{load_sample().text}"')
        return verdict

    def realtime(self) -> str:
        import asyncio

        from stt_engine.audio import decode_audio
        from stt_engine.realtime.client import StreamOptions, pcm16, stream_pcm

        sample = load_sample()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / sample.filename
            path.write_bytes(sample.audio)
            samples = decode_audio(path)
        options = StreamOptions(
            url=self.options.url, api_key=self.options.api_key, language=sample.language,
            speed=_REALTIME_SPEED, timeout=self.options.timeout,
        )  # fmt: skip
        try:
            result = asyncio.run(stream_pcm(pcm16(samples), options))
        except (OSError, TimeoutError, ConnectionError) as exc:
            raise _Failed(f"/v1/realtime: {exc or type(exc).__name__}") from exc
        if result.errors:
            raise _Failed(f"/v1/realtime error: {result.errors[0].get('message')}")
        wer = word_error_rate(sample.text, result.text())
        verdict = f"{len(result.turns)} turn(s), WER {wer:.1%}"
        if wer > self.options.max_wer:
            raise _Failed(f'{verdict}: "{result.text()}"')
        return verdict


def _raise_for_error(response: httpx.Response) -> None:
    if response.status_code == 200:
        return
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    if response.status_code == 401:
        raise _Failed(f"401: {message}; pass --api-key (or STT_ENGINE_API_KEY)")
    raise _Failed(f"{response.status_code}: {message}")


def _timed(name: str, step: Callable[[], str]) -> Step:
    started = time.perf_counter()
    try:
        detail = step()
    except _Failed as exc:
        return Step(name, "fail", time.perf_counter() - started, str(exc))
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        return Step(name, "fail", time.perf_counter() - started, f"cannot reach server: {reason}")
    except ValueError as exc:
        return Step(name, "fail", time.perf_counter() - started, f"unreadable answer: {exc}")
    return Step(name, "pass", time.perf_counter() - started, detail)


def run_check(options: CheckOptions) -> list[Step]:
    """Run every step against ``options.url``."""
    base = options.url.rstrip("/")
    with httpx.Client(base_url=base, timeout=min(options.timeout, 30.0)) as client:
        return Checker(options, client).run()
