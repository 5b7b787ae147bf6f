"""Helpers for the job tests (no tests here): settings, live server, polling, webhook receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from speech_corpus import AUDIO
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.config import Settings
from stt_engine.engine import Engine
from stt_engine.server import create_app

KO_CLIPS = sorted((AUDIO / "ko/emotiontts/Main/main/lmy").glob("lmy0100[1-9].flac"))
JFK = AUDIO / "en/whisper_jfk.flac"
LONG_EN = AUDIO / "en/derived/long_en_read_mix.flac"
API_KEY = "jobs-test-key"
SECRET = "webhook-test-secret"
ENDED = ("succeeded", "failed", "cancelled")


def job_settings(base: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "models_dir": base / "models",
        "cache_dir": base / "cache",
        "data_dir": base / "data",
        "upload_dir": base / "tmp-uploads",
        "jobs_input_dir": base / "inputs",
        "device": "cpu",
        "api_keys": [API_KEY],
        "webhook_secret": SECRET,
        "webhook_backoff_seconds": 0.2,
        "webhook_allow_hosts": ["127.0.0.1"],  # the test receiver listens on loopback
        "model_ttl_seconds": 0,
        "job_retention_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def live_jobs_server(settings: Settings, engine: Engine) -> Iterator[httpx.Client]:
    with BackgroundServer(create_app(settings, engine)) as server:
        server.wait_ready()
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            yield client


def upload(
    client: httpx.Client, path: Path, key: str | None = None, **fields: str
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    with path.open("rb") as handle:
        return client.post(
            "/v1/jobs", files={"file": (path.name, handle)}, data=fields, headers=headers
        )


def wait_ended(client: httpx.Client, job_id: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ENDED:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end in {timeout} s")


@dataclass
class Receiver:
    """Webhook deliveries received, and the status codes to answer, in order."""

    answers: list[int]
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def wait(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.deliveries) >= count, f"{len(self.deliveries)} of {count} deliveries"


@contextmanager
def webhook_receiver(answers: list[int]) -> Iterator[Receiver]:
    receiver = Receiver(list(answers))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.deliveries.append((dict(self.headers.items()), body))
            code = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
