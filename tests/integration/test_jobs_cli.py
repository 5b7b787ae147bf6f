"""``stt-engine jobs`` against a live server: submit --wait, status, result, list, cancel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import srt
from click.testing import CliRunner
from test_jobs_helpers import API_KEY, JFK, KO_CLIPS, LONG_EN, job_settings, live_jobs_server

from stt_engine.cli import cli
from stt_engine.engine import Engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[httpx.Client]:
    base = tmp_path_factory.mktemp("jobs-cli")
    with live_jobs_server(job_settings(base), engine) as client:
        yield client


def run(server: httpx.Client, *args: str) -> tuple[int, str, str]:
    base = ["jobs", "--url", str(server.base_url), "--api-key", API_KEY]
    result = CliRunner().invoke(cli, [*base, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.corpus
def test_submit_wait_prints_the_result(server: httpx.Client, tmp_path: Path) -> None:
    out = tmp_path / "jfk.srt"
    code, _, err = run(
        server, "submit", str(JFK), "--language", "en", "--wait", "--format", "srt", "-o", str(out)
    )
    assert code == 0, err
    cues = list(srt.parse(out.read_text(encoding="utf-8")))
    assert "ask not what your country" in " ".join(c.content for c in cues).replace("\n", " ")


@pytest.mark.corpus
def test_submit_status_result_list(server: httpx.Client) -> None:
    code, job_id, err = run(server, "submit", str(KO_CLIPS[4]), "--language", "ko")
    assert code == 0, err
    job_id = job_id.strip()
    code, shown, _ = run(server, "status", job_id, "--wait")
    assert code == 0 and json.loads(shown)["status"] == "succeeded"
    code, text, _ = run(server, "result", job_id, "--format", "text")
    assert code == 0 and text.strip()
    code, listing, _ = run(server, "list", "--status", "succeeded")
    assert code == 0 and job_id in listing


@pytest.mark.corpus
def test_cancel_and_errors(server: httpx.Client) -> None:
    code, job_id, _ = run(server, "submit", str(LONG_EN), "--language", "en")
    assert code == 0
    code, out, err = run(server, "cancel", job_id.strip())
    assert code == 0 and out.strip() == f"{job_id.strip()} cancelled", err
    code, _, err = run(server, "result", job_id.strip())
    assert code == 11 and "HTTP 409" in err and "cancelled" in err
    code, _, err = run(server, "status", "job_unknown")
    assert code == 4 and "HTTP 404" in err


def test_wrong_key_is_reported(server: httpx.Client) -> None:
    result = CliRunner().invoke(
        cli, ["jobs", "--url", str(server.base_url), "--api-key", "wrong", "list"]
    )
    assert result.exit_code == 6 and "HTTP 401" in result.stderr
