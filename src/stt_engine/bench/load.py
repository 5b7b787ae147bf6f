"""``bench load``: concurrent clients against any OpenAI-compatible transcription server.

For each concurrency level N, N clients send real clips (round robin over the manifest) to
``POST /v1/audio/transcriptions`` back to back for ``duration`` seconds; requests already sent
when the time is up are awaited (each is bounded by ``timeout``), so a level always ends.
Throughput counts audio seconds of successful responses per wall-clock second of the level.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from stt_engine.bench.manifest import Clip
from stt_engine.bench.stats import latency_summary
from stt_engine.errors import InvalidRequestError, NotReadyError

ROUTE = "/v1/audio/transcriptions"


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What to send, how hard and for how long."""

    urls: tuple[str, ...]
    concurrency: tuple[int, ...]
    duration: float  # seconds per level and URL
    model: str = "whisper-1"
    api_key: str | None = None
    language: str | None = None
    timeout: float = 300.0  # seconds, per request
    warmup: bool = True  # one untimed request per URL first

    def record(self) -> dict[str, Any]:
        """The plan for a result file (the API key left out)."""
        return {"urls": list(self.urls), "concurrency": list(self.concurrency),
                "duration": self.duration, "model": self.model, "language": self.language,
                "timeout": self.timeout, "warmup": self.warmup}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Payload:
    name: str
    data: bytes
    duration: float
    content_type: str


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # "200", "429", ..., "timeout", "connection_error", "bad_response"
    seconds: float
    audio_seconds: float


def endpoint(url: str) -> str:
    """The transcription endpoint for a server base URL (or the endpoint itself)."""
    if not url.startswith(("http://", "https://")):
        raise InvalidRequestError(f"not an http(s) URL: {url}", param="url")
    url = url.rstrip("/")
    if url.endswith(ROUTE):
        return url
    return url + ("/audio/transcriptions" if url.endswith("/v1") else ROUTE)


def payloads(clips: Sequence[Clip]) -> list[Payload]:
    """The clips' bytes, read once before any timing starts."""
    out = []
    for clip in clips:
        content_type = mimetypes.guess_type(clip.path.name)[0] or "application/octet-stream"
        out.append(Payload(clip.path.name, clip.path.read_bytes(), clip.duration, content_type))
    return out


async def send(client: httpx.AsyncClient, url: str, payload: Payload, plan: LoadPlan) -> Outcome:
    """One request; never raises for HTTP or transport failures (they become the status)."""
    data = {"model": plan.model, "response_format": "json"}
    if plan.language:
        data["language"] = plan.language
    files = {"file": (payload.name, payload.data, payload.content_type)}
    start = time.perf_counter()
    try:
        response = await client.post(url, data=data, files=files, timeout=plan.timeout)
        status = str(response.status_code)
        if response.status_code == 200 and not _has_text(response):
            status = "bad_response"
    except httpx.TimeoutException:
        status = "timeout"
    except httpx.TransportError:
        status = "connection_error"
    return Outcome(status, time.perf_counter() - start, payload.duration)


def _has_text(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("text"), str)


async def run_level(
    client: httpx.AsyncClient,
    url: str,
    items: Sequence[Payload],
    concurrency: int,
    plan: LoadPlan,
) -> dict[str, Any]:
    """N clients for ``plan.duration`` seconds; the figures of that level."""
    start = time.perf_counter()
    deadline = start + plan.duration
    turn = itertools.count()
    outcomes: list[Outcome] = []

    async def client_loop() -> None:
        while time.perf_counter() < deadline:
            payload = items[next(turn) % len(items)]
            outcomes.append(await send(client, url, payload, plan))

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    return level_figures(outcomes, concurrency, time.perf_counter() - start)


def level_figures(outcomes: Sequence[Outcome], concurrency: int, elapsed: float) -> dict[str, Any]:
    ok = [o for o in outcomes if o.status == "200"]
    errors = Counter(o.status for o in outcomes if o.status != "200")
    return {
        "concurrency": concurrency,
        "elapsed_seconds": elapsed,
        "requests": len(outcomes),
        "ok": len(ok),
        "errors": dict(sorted(errors.items())),
        "audio_seconds": sum(o.audio_seconds for o in ok),
        "throughput_audio_s_per_s": sum(o.audio_seconds for o in ok) / elapsed,
        "requests_per_second": len(ok) / elapsed,
        "latency_seconds": latency_summary([o.seconds for o in ok]),
    }


@dataclass
class LoadRun:
    """Levels per URL, and one lone request's latency per URL before and after them.

    The lone requests show whether the machine changed during the run: on a shared host a
    slower "after" than "before" means other load, not the concurrency, slowed the levels.
    """

    levels: dict[str, list[dict[str, Any]]]
    solo_seconds: dict[str, dict[str, float | None]]


async def _solo(client: httpx.AsyncClient, url: str, item: Payload, plan: LoadPlan) -> float:
    outcome = await send(client, url, item, plan)
    if outcome.status in ("connection_error", "timeout"):
        raise NotReadyError(
            f"no answer from {url} ({outcome.status})",
            hint="is the server running and reachable from here?",
        )
    return outcome.seconds


async def run_load(
    plan: LoadPlan, items: Sequence[Payload], progress: Callable[[str, int], object] | None = None
) -> LoadRun:
    """Levels per URL, measured level by level (every URL at N before any at the next N).

    With ``plan.warmup`` each URL first gets an untimed request, then a lone timed one; after
    the levels each gets one more lone request.
    """
    targets = dict(zip(plan.urls, [endpoint(u) for u in plan.urls], strict=True))
    headers = {"Authorization": f"Bearer {plan.api_key}"} if plan.api_key else {}
    limits = httpx.Limits(max_connections=max(plan.concurrency) + 1)
    run = LoadRun(
        {u: [] for u in plan.urls}, {u: {"before": None, "after": None} for u in plan.urls}
    )
    async with httpx.AsyncClient(headers=headers, limits=limits) as client:
        for url, target in targets.items():
            if plan.warmup:
                await _solo(client, target, items[0], plan)
                run.solo_seconds[url]["before"] = await _solo(client, target, items[0], plan)
        for concurrency in plan.concurrency:
            for url, target in targets.items():
                run.levels[url].append(await run_level(client, target, items, concurrency, plan))
                if progress is not None:
                    progress(url, concurrency)
        for url, target in targets.items():
            if plan.warmup:
                run.solo_seconds[url]["after"] = (
                    await send(client, target, items[0], plan)
                ).seconds
    return run


async def describe_servers(plan: LoadPlan) -> dict[str, Any]:
    """Each server's ``GET /health`` JSON where it answers one (device, workers, queue...)."""
    found: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for url in plan.urls:
            base = endpoint(url)[: -len(ROUTE)]
            try:
                response = await client.get(base + "/health")
                found[url] = response.json() if response.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                found[url] = None
    return found
