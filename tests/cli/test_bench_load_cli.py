"""``stt-engine bench load`` end to end against a tiny real server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi import FastAPI, Form, UploadFile

from stt_engine.cli import cli


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server_url() -> Iterator[str]:
    import asyncio

    import uvicorn

    app = FastAPI()

    @app.post("/v1/audio/transcriptions")
    async def transcribe(file: UploadFile, model: str = Form(...)) -> dict[str, str]:
        await file.read()
        await asyncio.sleep(0.05)
        return {"text": f"heard {model}"}

    @app.get("/health")
    async def health() -> dict[str, object]:
        return {"status": "ok", "workers": 3}

    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def short_manifest(audio_dir: Path, tmp_path: Path) -> Path:
    rows = [
        {"audio_filepath": str(audio_dir / "en/whisper_jfk.flac"), "duration": 11.0,
         "text": "x", "lang": "en"},
        {"audio_filepath": str(audio_dir / "ko/emotiontts/Main/main/lmy/lmy01003.flac"),
         "duration": 6.02, "text": "y", "lang": "ko"},
    ]  # fmt: skip
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    return path


def test_load_writes_levels_table_and_chart(
    server_url: str, short_manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["bench", "load", "--url", server_url, "--url", server_url + "/v1",
            "--manifest", str(short_manifest), "--concurrency", "1,2", "--duration", "0.5",
            "--out", str(out), "--plot", "--no-progress"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "[1] " + server_url in result.output and "audio s/s" in result.output
    assert "[2] one lone request:" in result.output
    saved = json.loads((out / "load.json").read_text("utf-8"))
    assert saved["kind"] == "load" and saved["settings"]["concurrency"] == [1, 2]
    for probe in saved["solo_seconds"].values():
        assert 0.04 < probe["before"] < 5 and 0.04 < probe["after"] < 5
    assert set(saved["machine"]) >= {"cpu", "cores", "gpu"}
    assert saved["servers"] == {url: {"status": "ok", "workers": 3} for url in saved["levels"]}
    for levels in saved["levels"].values():
        assert [lvl["concurrency"] for lvl in levels] == [1, 2]
        for level in levels:
            assert level["ok"] > 0 and level["errors"] == {}
            assert level["throughput_audio_s_per_s"] > 0
            assert set(level["latency_seconds"]) == {"mean", "p50", "p95", "p99", "max"}
    assert (out / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("levels", ["0,1", "two", ""])
def test_bad_concurrency_is_a_usage_error(levels: str, short_manifest: Path) -> None:
    args = ["bench", "load", "--url", "http://127.0.0.1:9", "--manifest", str(short_manifest),
            "--concurrency", levels]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "comma-separated list" in result.output


def test_unreachable_server_exits_with_not_ready(short_manifest: Path, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_port()}"
    args = ["bench", "load", "--url", url, "--manifest", str(short_manifest),
            "--duration", "0.2", "--out", str(tmp_path), "--no-progress"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 8
    assert "no answer from" in result.output and "hint:" in result.output


def test_bench_help_stays_light() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from stt_engine.cli import cli\n"
        "for sub in ('accuracy', 'speed', 'load'):\n"
        "    assert CliRunner().invoke(cli, ['bench', sub, '--help']).exit_code == 0\n"
        "heavy = {'faster_whisper', 'ctranslate2', 'matplotlib', 'jiwer', 'httpx'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
