"""Webhooks: a signed POST when a job ends, retried with exponential backoff.

The body is JSON: ``{"type": "job.succeeded" | "job.failed" | "job.cancelled", "job": {...}}``
(the job as ``GET /v1/jobs/{id}`` shows it). With ``webhook_secret`` set, the header
``X-Stt-Engine-Signature: sha256=<hex>`` carries HMAC-SHA256 of the exact body bytes under
that secret. A 2xx answer delivers it; anything else (or no answer) is retried after
``webhook_backoff_seconds``, doubling each time, up to ``webhook_max_attempts`` attempts.
Every attempt is recorded on the job. Pending deliveries survive a restart. A target that
now resolves inside the network (targets.py) is refused and not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx

from stt_engine.config import Settings
from stt_engine.errors import InvalidRequestError
from stt_engine.jobs.record import JobRecord, WebhookAttempt
from stt_engine.jobs.store import JobStore
from stt_engine.jobs.targets import TargetPolicy

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Stt-Engine-Signature"
EVENT_HEADER = "X-Stt-Engine-Event"
DELIVERY_HEADER = "X-Stt-Engine-Delivery"
TIMEOUT_SECONDS = 10.0


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """True when the header is the body's signature under the secret (constant-time)."""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def payload(job: JobRecord) -> bytes:
    event = {"type": f"job.{job.status}", "job": {**job.to_api(), "webhook": None}}
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def backoff_seconds(attempt: int, base: float) -> float:
    """Wait after failed attempt number ``attempt`` (1-based) before the next one."""
    return float(base * 2 ** (attempt - 1))


class WebhookSender:
    """Delivers due webhooks of ended jobs, one attempt at a time."""

    def __init__(
        self,
        store: JobStore,
        settings: Settings,
        client: httpx.Client | None = None,
        policy: TargetPolicy | None = None,
    ):
        self._store = store
        self._policy = policy or TargetPolicy(tuple(settings.webhook_allow_hosts))
        self._secret = settings.webhook_secret
        self._max_attempts = settings.webhook_max_attempts
        self._backoff = settings.webhook_backoff_seconds
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def deliver_due(self) -> int:
        """Attempt every delivery that is due now; returns how many were attempted."""
        due = self._store.due_webhooks(time.time())
        for job in due:
            self._attempt(job)
        return len(due)

    def _attempt(self, job: JobRecord) -> None:
        assert job.webhook_url is not None
        number = len(job.webhook_attempts) + 1
        body = payload(job)
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: f"job.{job.status}",
            DELIVERY_HEADER: f"{job.id}.{number}",
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(body, self._secret)
        status, error, refused = self._post(job.webhook_url, body, headers)
        delivered = status is not None and 200 <= status < 300
        state = "delivered" if delivered else "pending"
        if not delivered and (refused or number >= self._max_attempts):
            state = "failed"
        next_at = time.time() + backoff_seconds(number, self._backoff)
        self._store.record_webhook(
            job.id, WebhookAttempt(number, time.time(), status, error), state, next_at
        )
        log.info("job %s: webhook attempt %d -> %s", job.id, number, status or error)

    def _post(
        self, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None, bool]:
        """(status, error, refused): the POST to the address the policy checked."""
        target = httpx.URL(url)
        try:
            address = self._policy.address(target.host, target.port or _PORTS[target.scheme])
        except InvalidRequestError as exc:
            log.warning("webhook refused: %s", exc.message)
            return None, exc.message, True
        pinned = target.copy_with(host=address)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        request = self._client.build_request(
            "POST",
            pinned,
            content=body,
            headers={**headers, "Host": target.netloc.decode()},
            extensions=extensions,
        )
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}", False
        error = None if response.is_success else f"HTTP {response.status_code}"
        return response.status_code, error, False


_PORTS = {"http": 80, "https": 443}
