"""/v1/jobs over real HTTP with the real model: submit, follow, results, webhooks, failures."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import srt
from test_jobs_helpers import (
    JFK,
    KO_CLIPS,
    LONG_EN,
    SECRET,
    job_settings,
    live_jobs_server,
    upload,
    wait_ended,
    webhook_receiver,
)

from stt_engine.engine import Engine
from stt_engine.jobs.webhooks import SIGNATURE_HEADER, verify

pytestmark = pytest.mark.corpus  # every test reads the module's copy of JFK (fixture base)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jobs-api")
    (root / "inputs" / "calls").mkdir(parents=True)
    shutil.copyfile(JFK, root / "inputs" / "calls" / "jfk.flac")  # a temp copy, outside the repo
    (root / "inputs" / "escape.flac").symlink_to(root / "secret.flac")
    (root / "secret.flac").write_bytes(JFK.read_bytes())
    return root


@pytest.fixture(scope="module")
def client(base: Path, engine: Engine) -> Iterator[httpx.Client]:
    with live_jobs_server(job_settings(base), engine) as running:
        yield running


def test_an_uploaded_job_runs_and_renders_every_format(client: httpx.Client, base: Path) -> None:
    response = upload(client, JFK, language="en")
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running") and response.headers["location"].endswith(
        job["id"]
    )
    done = wait_ended(client, job["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"]["fraction"] == 1.0 and done["progress"]["seconds_total"] == 11.0
    assert done["started_at"] >= done["created_at"] and done["finished_at"] >= done["started_at"]
    result = f"/v1/jobs/{job['id']}/result"
    text = client.get(result, params={"format": "text"}).text
    assert "ask not what your country can do for you" in text
    assert client.get(result).json() == {"text": text.strip()}
    verbose = client.get(result, params={"format": "verbose_json"}).json()
    assert verbose["language"] == "english" and verbose["segments"]
    cues = list(srt.parse(client.get(result, params={"format": "srt"}).text))
    assert cues and cues[-1].end.total_seconds() <= 11.1
    assert client.get(result, params={"format": "vtt"}).text.startswith("WEBVTT")
    assert client.get(result, params={"format": "tsv"}).text.startswith("start\tend\ttext")
    assert client.get(result, params={"format": "docx"}).status_code == 400


def test_a_job_keeps_the_logprobs_and_language_it_was_asked_for(client: httpx.Client) -> None:
    asked = {"include[]": "logprobs", "languages[]": "en"}
    done = wait_ended(client, upload(client, JFK, **asked).json()["id"])
    assert done["status"] == "succeeded", done["error"]
    result = f"/v1/jobs/{done['id']}/result"
    answer = client.get(result).json()
    spelled = b"".join(bytes(token["bytes"]) for token in answer["logprobs"]).decode("utf-8")
    assert spelled.strip() == answer["text"] and "ask not" in answer["text"]
    assert all(token["logprob"] <= 0 for token in answer["logprobs"])
    assert answer["languages"] == [{"code": "en"}]
    verbose = client.get(result, params={"format": "verbose_json"}).json()
    assert verbose["logprobs"] == answer["logprobs"] and verbose["segments"]
    plain = wait_ended(client, upload(client, JFK, language="en").json()["id"])
    assert set(client.get(f"/v1/jobs/{plain['id']}/result").json()) == {"text"}  # only when asked


def test_jobs_need_the_api_key(client: httpx.Client) -> None:
    response = httpx.get(f"{client.base_url}/v1/jobs")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_one_idempotency_key_gives_one_job(client: httpx.Client, base: Path) -> None:
    clip = KO_CLIPS[0]
    first = upload(client, clip, key="retry-1", language="ko")
    again = upload(client, clip, key="retry-1", language="ko")
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    different = upload(client, clip, key="retry-1", language="en")
    assert different.status_code == 400 and "different request" in different.text
    wait_ended(client, first.json()["id"])
    listed = client.get("/v1/jobs", params={"limit": 100}).json()["data"]
    assert [j["id"] for j in listed].count(first.json()["id"]) == 1
    assert sum(j["filename"] == clip.name for j in listed) == 1


def test_webhook_is_signed_and_retried(client: httpx.Client) -> None:
    with webhook_receiver([500, 500, 200]) as receiver:
        job = upload(client, KO_CLIPS[1], language="ko", webhook_url=receiver.url).json()
        wait_ended(client, job["id"])
        receiver.wait(3)
        time.sleep(0.3)
    for headers, body in receiver.deliveries:
        assert verify(body, SECRET, headers[SIGNATURE_HEADER])
        assert not verify(body, "wrong-secret", headers[SIGNATURE_HEADER])
        event = json.loads(body)
        assert event["type"] == "job.succeeded" and event["job"]["id"] == job["id"]
    hook = client.get(f"/v1/jobs/{job['id']}").json()["webhook"]
    assert hook["state"] == "delivered"
    assert [a["status_code"] for a in hook["attempts"]] == [500, 500, 200]
    gaps = [b["at"] - a["at"] for a, b in zip(hook["attempts"], hook["attempts"][1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # backoff doubles from webhook_backoff_seconds


def test_cancel_stops_a_running_job(client: httpx.Client) -> None:
    job = upload(client, LONG_EN, language="en").json()
    deadline = time.monotonic() + 120
    while client.get(f"/v1/jobs/{job['id']}").json()["progress"]["seconds_done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    cancelled = client.delete(f"/v1/jobs/{job['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    time.sleep(1)
    after = client.get(f"/v1/jobs/{job['id']}").json()
    assert after["status"] == "cancelled" and after["progress"]["seconds_done"] < 300
    assert client.get(f"/v1/jobs/{job['id']}/result").status_code == 409
    deleted = client.delete(f"/v1/jobs/{job['id']}")  # an ended job: deleted
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert client.get(f"/v1/jobs/{job['id']}").status_code == 404
    assert client.delete(f"/v1/jobs/{job['id']}").status_code == 404
    assert client.get("/v1/jobs/job_nonexistent").status_code == 404


def test_paging_through_jobs(client: httpx.Client) -> None:
    ids = [client.post("/v1/jobs", json={"file": "calls/jfk.flac"}).json()["id"] for _ in range(3)]
    first = client.get("/v1/jobs", params={"limit": 2}).json()
    assert [j["id"] for j in first["data"]] == ids[:0:-1]
    assert first["has_more"] and first["next_cursor"] == ids[1]
    second = client.get("/v1/jobs", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["data"][0]["id"] == ids[0]
    assert client.get("/v1/jobs", params={"status": "nope"}).status_code == 400
    assert client.get("/v1/jobs", params={"limit": 0}).status_code == 400
    for job_id in ids:
        client.delete(f"/v1/jobs/{job_id}")
    cancelled = client.get("/v1/jobs", params={"status": "cancelled", "limit": 100}).json()
    assert set(ids) <= {j["id"] for j in cancelled["data"]}


def test_a_file_in_the_input_folder_runs(client: httpx.Client) -> None:
    response = client.post("/v1/jobs", json={"file": "calls/jfk.flac", "language": "en"})
    assert response.status_code == 202
    done = wait_ended(client, response.json()["id"])
    assert done["status"] == "succeeded" and done["filename"] == "jfk.flac"


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("../secret.flac", 400, "outside the jobs input folder"),
        ("/etc/passwd", 400, "outside the jobs input folder"),
        ("escape.flac", 400, "outside the jobs input folder"),  # a symlink leading out
        ("calls/missing.flac", 404, "no file"),
    ],
)
def test_paths_outside_the_input_folder_are_refused(
    client: httpx.Client, name: str, status: int, message: str
) -> None:
    response = client.post("/v1/jobs", json={"file": name})
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_bad_submissions_are_refused(client: httpx.Client) -> None:
    assert client.post("/v1/jobs", json={"language": "ko"}).status_code == 400
    assert (
        client.post(
            "/v1/jobs", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post("/v1/jobs", data={"language": "ko"}, files={}).status_code in (400, 415)
    bad_hook = client.post("/v1/jobs", json={"file": "calls/jfk.flac", "webhook_url": "ftp://x"})
    assert bad_hook.status_code == 400 and "webhook_url" in bad_hook.text
    bad_model = client.post("/v1/jobs", json={"file": "calls/jfk.flac", "model": "nope"})
    assert bad_model.status_code == 404


def test_corrupt_audio_fails_the_job_with_a_clear_message(client: httpx.Client, base: Path) -> None:
    corrupt = base / "corrupt.flac"
    corrupt.write_bytes(b"fLaC" + bytes(range(256)) * 64)
    job = upload(client, corrupt).json()
    done = wait_ended(client, job["id"])
    assert done["status"] == "failed"
    assert done["error"]["code"] == "invalid_audio"
    assert done["error"]["message"].startswith("corrupt.flac: not a readable audio")
    next_job = upload(client, KO_CLIPS[2], language="ko").json()
    assert wait_ended(client, next_job["id"])["status"] == "succeeded"


def test_no_uploads_remain_once_jobs_end(client: httpx.Client, base: Path) -> None:
    listed = client.get("/v1/jobs", params={"limit": 100}).json()["data"]
    for job in listed:
        if job["status"] not in ("succeeded", "failed", "cancelled"):
            wait_ended(client, job["id"])
    time.sleep(1.5)  # the housekeeper's round
    assert list((base / "data" / "uploads").iterdir()) == []
    left = [p for p in (base / "tmp-uploads").rglob("*") if p.is_file()]
    assert [p for p in left if p.name != "owner.pid"] == []
    assert (base / "secret.flac").exists() and JFK.exists()  # input files are never removed


def test_uploads_are_kept_for_the_retention_time(tmp_path: Path, engine: Engine) -> None:
    settings = job_settings(tmp_path, job_retention_seconds=3)
    with live_jobs_server(settings, engine) as client:
        job = upload(client, KO_CLIPS[3], language="ko").json()
        done = wait_ended(client, job["id"])
        uploads = tmp_path / "data" / "uploads"
        assert len(list(uploads.iterdir())) == 1
        while time.time() < done["finished_at"] + 3 + 2:
            if not list(uploads.iterdir()):
                break
            time.sleep(0.2)
        assert time.time() >= done["finished_at"] + 3
        assert list(uploads.iterdir()) == []
        assert client.get(f"/v1/jobs/{job['id']}/result?format=text").status_code == 200


def test_webhooks_aimed_inside_are_refused_without_the_allow_list(
    base: Path, engine: Engine
) -> None:
    settings = job_settings(
        base, webhook_allow_hosts=[], data_dir=base / "data-strict", upload_dir=base / "up-strict"
    )
    with live_jobs_server(settings, engine) as strict:
        for url, why in [
            ("http://127.0.0.1:9/hook", "a loopback address"),
            ("http://169.254.169.254/latest/meta-data", "a cloud metadata address"),
            ("http://10.0.0.5/hook", "a private address"),
        ]:
            response = strict.post("/v1/jobs", json={"file": "calls/jfk.flac", "webhook_url": url})
            assert response.status_code == 400, response.text
            error = response.json()["error"]
            assert error["param"] == "webhook_url" and why in error["message"]
        assert strict.get("/v1/jobs").json()["data"] == []


def test_each_key_sees_only_its_own_jobs(base: Path, engine: Engine) -> None:
    settings = job_settings(
        base,
        api_keys=["team-a-key", "team-b-key"],
        data_dir=base / "data-keys",
        upload_dir=base / "up-keys",
    )
    with live_jobs_server(settings, engine) as anonymous:
        a = httpx.Client(
            base_url=anonymous.base_url, headers={"Authorization": "Bearer team-a-key"}
        )
        b = httpx.Client(
            base_url=anonymous.base_url, headers={"Authorization": "Bearer team-b-key"}
        )
        job = upload(a, JFK, key="nightly-1", language="en").json()
        assert wait_ended(a, job["id"])["status"] == "succeeded"
        for path in (f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/result"):
            assert b.get(path).status_code == 404 and a.get(path).status_code == 200
        assert b.get("/v1/jobs").json()["data"] == []
        assert [j["id"] for j in a.get("/v1/jobs").json()["data"]] == [job["id"]]
        assert b.delete(f"/v1/jobs/{job['id']}").status_code == 404
        theirs = upload(b, JFK, key="nightly-1", language="en")  # same key, other owner
        assert theirs.status_code == 202 and theirs.json()["id"] != job["id"]
        assert "Idempotent-Replayed" not in theirs.headers
        wait_ended(b, theirs.json()["id"])
        metrics = anonymous.get("/metrics").text
        assert 'stt_jobs{status="succeeded"} 2.0' in metrics
        assert "stt_jobs_oldest_queued_age_seconds 0.0" in metrics
        assert a.delete(f"/v1/jobs/{job['id']}").json()["deleted"] is True
        assert a.get(f"/v1/jobs/{job['id']}/result").status_code == 404
        a.close()
        b.close()
