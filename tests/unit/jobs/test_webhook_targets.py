"""Webhooks cannot be aimed inside: loopback, private, link-local and metadata addresses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stt_engine.config import Settings
from stt_engine.errors import InvalidRequestError
from stt_engine.jobs.store import JobStore
from stt_engine.jobs.targets import TargetPolicy
from stt_engine.jobs.webhooks import WebhookSender

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration"))
from test_jobs_helpers import webhook_receiver


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.0.10", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.10.10", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("localhost", "a loopback address"),
    ],
)
def test_internal_targets_are_refused(host: str, why: str) -> None:
    with pytest.raises(InvalidRequestError, match=why) as caught:
        TargetPolicy().address(host, 80)
    assert caught.value.param == "webhook_url"
    assert "webhook_allow_hosts" in (caught.value.hint or "")


def test_public_addresses_pass_and_the_allow_list_lets_named_ones_in() -> None:
    assert TargetPolicy().address("93.184.215.14", 443) == "93.184.215.14"
    assert TargetPolicy().address("2606:4700::6810:85e5", 443) == "2606:4700::6810:85e5"
    assert TargetPolicy(("127.0.0.1",)).address("127.0.0.1", 80) == "127.0.0.1"
    assert TargetPolicy(("10.0.0.0/8",)).address("10.9.8.7", 80) == "10.9.8.7"
    with pytest.raises(InvalidRequestError):
        TargetPolicy(("10.0.0.0/8",)).address("192.168.1.1", 80)
    assert TargetPolicy(("localhost",)).address("localhost", 80) in ("127.0.0.1", "::1")


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="does not resolve"):
        TargetPolicy().address("no-such-host.invalid", 80)


def _sender(tmp_path: Path, answers: dict[str, list[str]], allow: tuple[str, ...]) -> WebhookSender:
    policy = TargetPolicy(allow, resolver=lambda host, port: answers[host])
    return WebhookSender(JobStore(tmp_path), Settings(data_dir=tmp_path), policy=policy)


def test_a_name_that_rebinds_inside_is_refused_at_delivery(tmp_path: Path) -> None:
    # At submission the name was public; when the webhook is due it answers with loopback.
    sender = _sender(tmp_path, {"hooks.example.com": ["127.0.0.1"]}, ())
    status, error, refused = sender._post("http://hooks.example.com/done", b"{}", {})
    assert status is None and refused
    assert error == (
        "webhook_url is refused: hooks.example.com resolves to 127.0.0.1, a loopback address"
    )


def test_delivery_goes_to_the_address_that_was_checked(tmp_path: Path) -> None:
    with webhook_receiver([204]) as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
        sender = _sender(tmp_path, {"hooks.internal": ["127.0.0.1"]}, ("hooks.internal",))
        status, error, refused = sender._post(
            f"http://hooks.internal:{port}/hook", b'{"a": 1}', {"Content-Type": "application/json"}
        )
        assert (status, error, refused) == (204, None, False)
        headers, body = receiver.deliveries[0]
    assert body == b'{"a": 1}' and headers["Host"] == f"hooks.internal:{port}"
