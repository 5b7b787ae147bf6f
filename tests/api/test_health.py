"""Liveness, readiness, models, metrics and the offline API page."""

from __future__ import annotations

import gc
import re
import time
from pathlib import Path

import httpx
import pytest
from api_support import API_KEY, JFK, make_settings
from openai import OpenAI

from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server import create_app


def test_health_reports_the_device(server: BackgroundServer) -> None:
    started = time.perf_counter()
    response = httpx.get(server.url + "/health")
    assert time.perf_counter() - started < 0.5
    body = response.json()
    assert body["status"] == "ok"
    assert body["device"] == "cpu"
    assert body["compute_type"] == "int8"
    assert body["device_reason"]


def test_ready_once_the_default_model_is_loaded(server: BackgroundServer) -> None:
    for path in ("/health/ready", "/ready"):
        response = httpx.get(server.url + path)
        assert response.status_code == 200
        assert response.json()["ready"] is True


def test_the_start_up_heap_is_frozen_once_ready(server: BackgroundServer) -> None:
    # the loaded modules and model are left out of later garbage collections (priority.py)
    assert httpx.get(f"{server.url}/health/ready").status_code == 200
    assert gc.get_freeze_count() > 10_000


def test_not_ready_with_the_reason_when_the_default_model_is_missing(base_dir: Path) -> None:
    settings = make_settings(base_dir, default_model="no-such-model")
    with BackgroundServer(create_app(settings)) as server:
        deadline = time.monotonic() + 30
        while "failed" not in httpx.get(server.url + "/health").json()["reason"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert httpx.get(server.url + "/health").status_code == 200
        response = httpx.get(server.url + "/health/ready")
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert "no-such-model" in response.json()["reason"]
        assert httpx.get(server.url + "/ready").status_code == 503


def test_models_list_and_retrieve(client: OpenAI) -> None:
    ids = {model.id for model in client.models.list()}
    assert {"base", "whisper-1", "tiny.en"} <= ids
    alias = client.models.retrieve("whisper-1")
    assert alias.id == "whisper-1"
    assert alias.model_extra and alias.model_extra["root"] == "base"
    assert client.models.retrieve("Systran/faster-whisper-base").model_extra["root"] == "base"  # type: ignore[index]


@pytest.mark.corpus
def test_metrics_count_requests_and_audio(client: OpenAI, server: BackgroundServer) -> None:
    with JFK.open("rb") as audio:
        client.audio.transcriptions.create(file=audio, model="whisper-1", response_format="text")
    text = httpx.get(server.url + "/metrics").text
    assert re.search(
        r'stt_http_requests_total\{method="POST",route="/v1/audio/transcriptions",status="200"\} '
        r"[1-9]",
        text,
    )
    assert re.search(r'stt_audio_seconds_processed_total\{model="base"\} [1-9]', text)
    assert 'stt_real_time_factor_count{model="base"}' in text
    assert 'stt_model_load_seconds{model="base"}' in text
    assert "stt_queue_depth 0.0" in text
    assert "stt_models_loaded" in text


def test_unknown_paths_do_not_become_metric_labels(server: BackgroundServer) -> None:
    assert httpx.get(server.url + "/no/such/path-123").status_code == 404
    text = httpx.get(server.url + "/metrics").text
    assert 'route="unmatched",status="404"' in text
    assert "path-123" not in text


def test_docs_page_is_offline(server: BackgroundServer) -> None:
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200
    assert "openapi.json" in page.text
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", page.text)
    spec = httpx.get(server.url + "/openapi.json").json()
    assert "/v1/audio/transcriptions" in spec["paths"]
    body = spec["paths"]["/v1/audio/transcriptions"]["post"]["requestBody"]
    fields = body["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"file", "model", "response_format", "timestamp_granularities[]", "beam_size"} <= set(
        fields
    )


def test_keys_file_and_list_are_both_accepted(base_dir: Path, engine: Engine) -> None:
    keys_file = base_dir / "keys.txt"
    keys_file.write_text("file-key-a\n\nfile-key-b\n", encoding="utf-8")
    settings = make_settings(base_dir, api_keys_file=keys_file)
    with BackgroundServer(create_app(settings, engine)) as server:
        for key in ("file-key-a", "file-key-b", API_KEY):
            headers = {"Authorization": f"Bearer {key}"}
            assert httpx.get(server.url + "/v1/models", headers=headers).status_code == 200
        headers = {"Authorization": "Bearer file-key-c"}
        assert httpx.get(server.url + "/v1/models", headers=headers).status_code == 401


def test_open_when_no_keys_are_set(base_dir: Path, engine: Engine) -> None:
    settings = make_settings(base_dir, api_keys=[])
    with BackgroundServer(create_app(settings, engine)) as server:
        assert httpx.get(server.url + "/v1/models").status_code == 200


def _heap_figures(server: BackgroundServer) -> tuple[float, float]:
    text = httpx.get(server.url + "/metrics").text
    trims = re.search(r"^stt_heap_trims_total ([0-9.e+]+)$", text, re.M)
    in_use = re.search(r"^stt_heap_in_use_bytes ([0-9.e+]+)$", text, re.M)
    assert trims and in_use, "no heap figures in /metrics"
    return float(trims.group(1)), float(in_use.group(1))


def _trims_after(server: BackgroundServer, count: float, wait: float = 30.0) -> float:
    deadline = time.monotonic() + wait
    while (trims := _heap_figures(server)[0]) <= count and time.monotonic() < deadline:
        time.sleep(0.1)
    return trims


@pytest.mark.corpus
def test_the_heap_is_handed_back_once_per_quiet_spell(base_dir: Path, engine: Engine) -> None:
    settings = make_settings(base_dir, heap_trim_idle_seconds=0.3)
    with BackgroundServer(create_app(settings, engine)) as server:
        first = _trims_after(server, 0)  # start-up's free pages
        assert first >= 1
        with JFK.open("rb") as audio:
            answer = httpx.post(
                server.url + "/v1/audio/transcriptions",
                headers={"Authorization": f"Bearer {API_KEY}"},
                files={"file": (JFK.name, audio)},
                data={"model": "whisper-1"},
                timeout=300,
            )
        assert answer.status_code == 200
        assert _trims_after(server, first) == first + 1
        time.sleep(1.5)  # quiet, scraped all along: the same spell, no second trim
        trims, in_use = _heap_figures(server)
        assert trims == first + 1
        assert in_use > 0
