"""A job with masking and number options: the stored result holds only masked text, every
result format is masked, and the counts come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import srt
from test_jobs_helpers import job_settings, live_jobs_server, upload, wait_ended

from stt_engine.engine import Engine


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jobs-masking")
    (root / "inputs").mkdir()
    return root


@pytest.fixture(scope="module")
def client(base: Path, engine: Engine) -> Iterator[httpx.Client]:
    with live_jobs_server(job_settings(base), engine) as running:
        yield running


def test_a_masked_job(client: httpx.Client, phone_clip: Path, base: Path) -> None:
    response = upload(client, phone_clip, language="en", redact="phone", numbers="digits")
    assert response.status_code == 202, response.text
    done = wait_ended(client, response.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    result = f"/v1/jobs/{done['id']}/result"
    body = client.get(result).json()
    assert "[PHONE]" in body["text"] and body["redactions"] == {"phone": 1}
    cues = list(srt.parse(client.get(result, params={"format": "srt"}).text))
    assert any("[PHONE]" in cue.content for cue in cues)
    stored = list((base / "data").rglob(f"{done['id']}.json"))
    assert len(stored) == 1
    kept = stored[0].read_text(encoding="utf-8")
    assert "[PHONE]" in kept and "5551234567" not in kept and "555-123-4567" not in kept


def test_a_job_naming_an_unknown_vocabulary_is_refused(
    client: httpx.Client, phone_clip: Path
) -> None:
    response = upload(client, phone_clip, vocabulary="absent")
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "vocabulary"
    bad = upload(client, phone_clip, redact="everything")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "redact"
