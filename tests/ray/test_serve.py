"""The HTTP API on Ray Serve with 2 replicas: a subset of the openai-client API tests, /health."""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

API_TESTS = Path(__file__).resolve().parents[1] / "api"
sys.path.insert(0, str(API_TESTS))

from api_support import API_KEY, JFK, make_settings  # noqa: E402
from openai import OpenAI  # noqa: E402
from test_errors import (  # noqa: E402, F401
    test_bad_audio_is_400,
    test_empty_file_is_400,
    test_unknown_model_is_404,
    test_wrong_or_missing_key_is_401,
)
from test_health import test_models_list_and_retrieve  # noqa: E402, F401
from test_transcriptions import (  # noqa: E402, F401
    test_json_is_the_default_format,
    test_srt_parses_with_srt_package,
    test_text,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
REPLICAS = 2
_ARENAS = os.environ.get("MALLOC_ARENA_MAX", "1")  # the environment's wins over the setting


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def serve_url(ray_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ray import serve

    from stt_engine.batch.serve_app import APP_NAME, ServeOptions, build

    base = tmp_path_factory.mktemp("serve")
    settings = make_settings(base, max_loaded_models=2)
    port = _free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    options = ServeOptions(replicas=REPLICAS, cpus_per_replica=0.5)
    serve.run(build(settings, options), name=APP_NAME, route_prefix="/")
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url)
        yield url
    finally:
        serve.shutdown()


def _wait_ready(url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} was not ready within {timeout} s")


@pytest.fixture(scope="module")
def server(serve_url: str) -> SimpleNamespace:
    """What the imported API tests use of a server: its URL."""
    return SimpleNamespace(url=serve_url)


@pytest.fixture(scope="module")
def client(serve_url: str) -> OpenAI:
    return OpenAI(base_url=f"{serve_url}/v1", api_key=API_KEY, max_retries=0, timeout=120)


def test_two_replicas_run(serve_url: str) -> None:
    from ray import serve

    from stt_engine.batch.serve_app import APP_NAME

    deployment = serve.status().applications[APP_NAME].deployments["SttReplica"]
    assert deployment.status == "HEALTHY"
    assert deployment.replica_states.get("RUNNING") == REPLICAS


def test_health_answers_on_every_call(serve_url: str) -> None:
    for _ in range(8):  # spread over the replicas by Serve's router
        response = httpx.get(f"{serve_url}/health", timeout=10)
        assert response.status_code == 200
        body = response.json()
        assert body["ready"] is True and body["device"] == "cpu"


@pytest.mark.corpus
def test_metrics_are_each_replicas_own(client: OpenAI, serve_url: str) -> None:
    with JFK.open("rb") as audio:
        client.audio.transcriptions.create(file=audio, model="whisper-1", response_format="text")
    counts = set()
    for _ in range(12):
        text = httpx.get(f"{serve_url}/metrics", timeout=10).text
        assert "stt_models_loaded" in text
        found = re.search(
            r'stt_http_requests_total\{method="POST",route="/v1/audio/transcriptions",'
            r'status="200"\} ([0-9.]+)',
            text,
        )
        counts.add(float(found.group(1)) if found else 0.0)
    assert any(count >= 1 for count in counts)


def test_replicas_run_with_one_heap_arena(serve_url: str) -> None:
    # Ray titles each replica's process "ray::ServeReplica:<app>:SttReplica"
    replicas = []
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if proc.name.isdigit() and b"ServeReplica" in title and b"SttReplica" in title:
            replicas.append(proc)
    assert len(replicas) == REPLICAS, [p.name for p in replicas]
    for proc in replicas:
        environ = (proc / "environ").read_bytes().split(b"\0")
        assert f"MALLOC_ARENA_MAX={_ARENAS}".encode() in environ


def test_the_serve_run_config_builds_an_autoscaling_app() -> None:
    import yaml

    from stt_engine.batch.serve_app import app_builder

    config = yaml.safe_load((API_TESTS.parents[1] / "deploy" / "ray-serve.yaml").read_text())
    (entry,) = config["applications"]
    assert entry["import_path"] == "stt_engine.batch.serve_app:app_builder"
    app = app_builder(entry["args"])
    deployment = app._bound_deployment  # what `serve run` deploys
    scaling = deployment._deployment_config.autoscaling_config
    assert (scaling.min_replicas, scaling.max_replicas) == (2, 4)
    assert deployment.ray_actor_options["num_gpus"] == 0.5
    (settings,) = deployment.init_args
    assert settings.default_model == "base" and settings.job_workers == 0
    env = deployment.ray_actor_options["runtime_env"]["env_vars"]
    assert env == {"MALLOC_ARENA_MAX": _ARENAS}
