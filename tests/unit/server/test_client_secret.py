"""Client secrets: what they carry, and every way one is refused."""

from __future__ import annotations

import time

import pytest

from stt_engine.realtime.events import EventError
from stt_engine.server.client_secret import (
    DEFAULT_SECONDS,
    Grant,
    SecretRefused,
    issue,
    lifetime,
    looks_like_secret,
    redeem,
    signing_key,
)

KEY = signing_key(frozenset({"k1", "k2"}))
SESSION = {
    "type": "transcription",
    "audio": {"input": {"transcription": {"language": "KO"}, "turn_detection": None}},
}


def _grant(seconds: int = 60) -> Grant:
    return Grant(int(time.time()) + seconds, "ga", SESSION)


def test_a_secret_carries_its_session_and_expiry() -> None:
    secret = issue(_grant(), KEY)
    assert looks_like_secret(secret) and not looks_like_secret("sk-123")
    grant = redeem(secret, KEY, time.time())
    assert grant.session == SESSION and grant.dialect == "ga"
    config = grant.config(30.0)
    assert config.language == "ko" and config.turn is None


def test_the_same_keys_in_any_order_sign_alike_and_other_keys_refuse() -> None:
    secret = issue(_grant(), KEY)
    assert redeem(secret, signing_key(frozenset({"k2", "k1"})), time.time())
    for other in (frozenset({"k1"}), frozenset()):
        with pytest.raises(SecretRefused, match="invalid client secret"):
            redeem(secret, signing_key(other), time.time())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"),  # the signature
        lambda s: s.replace(".", "X.", 1),  # the payload
        lambda s: s.split(".")[0],  # no signature
        lambda s: "ek_" + "!" * 40 + ".abc",  # not base64
        lambda s: "ek_é.é",  # not ASCII
        lambda s: "ek_",
    ],
)
def test_a_changed_secret_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SecretRefused, match="invalid client secret"):
        redeem(tamper(issue(_grant(), KEY)), KEY, time.time())


def test_an_expired_secret_is_refused() -> None:
    grant = _grant(10)
    secret = issue(grant, KEY)
    assert redeem(secret, KEY, grant.expires_at - 1)
    with pytest.raises(SecretRefused, match="expired"):
        redeem(secret, KEY, grant.expires_at)


def test_lifetime_defaults_to_ten_minutes_and_is_cut_to_the_ceiling() -> None:
    assert lifetime(None, 7200) == DEFAULT_SECONDS == 600
    assert lifetime(None, 60) == 60
    assert lifetime(3600, 7200) == 3600
    assert lifetime(3600, 900) == 900


def test_normalized_keeps_only_the_fields_the_server_reads() -> None:
    session = {**SESSION, "junk": "x" * 10_000, "audio": {"input": {"noise": 1}}}
    grant = Grant(0, "ga", session).normalized()
    assert grant.session == {"type": "transcription", "audio": {"input": {}}}
    beta = Grant(0, "beta", {"input_audio_format": "pcm16", "modalities": ["text"]}).normalized()
    assert beta.session == {"input_audio_format": "pcm16"}


def test_a_bad_bound_session_is_an_event_error() -> None:
    with pytest.raises(EventError, match="session.type"):
        Grant(0, "ga", {"type": "realtime"}).config(30.0)
