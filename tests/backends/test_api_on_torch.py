"""The server, jobs and CLI on the PyTorch backend, unchanged.

The transcription API tests (tests/api/test_transcriptions.py) run again here against a live
server whose default model is the Hugging Face checkpoint, with ``backend=torch``; this
folder's conftest gives them that server and client.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import API_KEY, JFK
from openai import OpenAI
from test_transcriptions import (
    test_json_is_the_default_format,
    test_korean_with_language_and_prompt,
    test_no_upload_left_behind,
    test_srt_parses_with_srt_package,
    test_streaming_sends_deltas_then_done,
    test_text,
    test_translation_to_english_in_every_format,
    test_verbose_json_with_word_and_segment_timestamps,
    test_vtt_parses_with_webvtt,
    test_word_granularity_alone_leaves_out_segments,
)

from stt_engine.bench.local_server import BackgroundServer

__all__ = [
    "test_json_is_the_default_format",
    "test_korean_with_language_and_prompt",
    "test_no_upload_left_behind",
    "test_srt_parses_with_srt_package",
    "test_streaming_sends_deltas_then_done",
    "test_text",
    "test_translation_to_english_in_every_format",
    "test_verbose_json_with_word_and_segment_timestamps",
    "test_vtt_parses_with_webvtt",
    "test_word_granularity_alone_leaves_out_segments",
]
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def test_models_and_health_name_the_torch_backend(
    server: BackgroundServer, client: OpenAI, hf_base: Path
) -> None:
    listed = {m.id: m for m in client.models.list().data}
    default = listed["whisper-1"].model_dump()
    assert default["root"] == hf_base.name
    assert default["format"] == "transformers" and default["backend"] == "torch"
    health = httpx.get(f"{server.url}/health", timeout=30).json()
    assert health["device"] == "cpu"


@pytest.mark.corpus
def test_a_job_runs_on_the_torch_backend(server: BackgroundServer) -> None:
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=60) as http:
        with JFK.open("rb") as audio:
            response = http.post("/v1/jobs", files={"file": ("jfk.flac", audio)})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        deadline = time.monotonic() + 300
        while (job := http.get(f"/v1/jobs/{job_id}").json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
        assert job["status"] == "succeeded", job["error"]
        text = http.get(f"/v1/jobs/{job_id}/result", params={"format": "text"}).text
    assert "ask not what your country can do for you" in text


@pytest.mark.corpus
def test_cli_transcribes_with_backend_torch(hf_base: Path, base_dir: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "stt_engine.cli",
        "transcribe",
        str(JFK),
        "--backend",
        "torch",
        "--model",
        str(hf_base),
        "--device",
        "cpu",
        "--no-progress",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "ask not what your country can do for you" in result.stdout
