"""`stt-engine models pull` against a real HTTP hub on 127.0.0.1 serving the real base weights."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub_support import LocalHub, packaged_base
from stt_engine.config import Settings
from stt_engine.models import ModelRegistry
from stt_engine.models.layout import MANIFEST_NAME, manifest_origin

REPO = "stt-test/whisper-base-ct2"
SHORT, SHORT_REPO = "small", "Systran/faster-whisper-small"  # the table's id, served locally
GATED, TOKEN = "stt-test/gated", "hf_test_token"
JFK = "ask not what your country can do for you"


@pytest.fixture(scope="module")
def ct2_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged CTranslate2 base model (config, tokenizer, vocabulary, 145 MB model.bin)."""
    return packaged_base(tmp_path_factory.mktemp("packaged"))


@pytest.fixture(scope="module")
def not_whisper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bert")
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (folder / "model.safetensors").write_bytes(b"\0" * 2048)
    (folder / "tokenizer.json").write_text("{}")
    return folder


@pytest.fixture(scope="module")
def hub(ct2_base: Path, not_whisper: Path) -> Iterator[LocalHub]:
    with LocalHub() as running:
        running.add_repo(REPO, ct2_base, tags=("v1",))
        running.add_repo(SHORT_REPO, ct2_base)
        running.add_repo("stt-test/bert", not_whisper)
        running.add_repo(GATED, not_whisper, token=TOKEN)
        yield running


def _stt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stt_engine.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def _pull(
    hub: LocalHub, tmp_path: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    models = str(tmp_path / "models")
    return _stt(
        hub.env(tmp_path / "hf-home", **env), "models", "pull", *args, "--models-dir", models
    )


@pytest.mark.slow
def test_pull_by_repo_id_lists_verifies_and_transcribes(
    hub: LocalHub, tmp_path: Path, jfk: Path
) -> None:
    result = _pull(hub, tmp_path, REPO, "--revision", "v1")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "models" / "whisper-base-ct2"
    assert result.stdout.startswith(f"ok: whisper-base-ct2 -> {folder} (ctranslate2")
    origin = manifest_origin(folder)
    assert origin is not None and origin["repo_id"] == REPO and origin["revision"] == "v1"
    assert origin["commit"] == hub.repos[REPO].commit and origin["hub"] == hub.url
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json", "model.bin", MANIFEST_NAME, "tokenizer.json", "vocabulary.txt"
    ]  # fmt: skip
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["whisper-base-ct2"]
    env, models = hub.env(tmp_path / "hf-home"), str(tmp_path / "models")
    assert _stt(env, "models", "verify", "whisper-base-ct2", "--models-dir", models).returncode == 0
    rows = json.loads(_stt(env, "models", "list", "--models-dir", models, "--json").stdout)
    assert {"name": "whisper-base-ct2", "source": "models_dir"}.items() <= {
        k: v for r in rows if r["name"] == "whisper-base-ct2" for k, v in r.items()
    }.items()
    for model in ("whisper-base-ct2", REPO):  # the folder name, or the repository it came from
        said = _stt(env, "transcribe", str(jfk), "--model", model, "--models-dir", models)
        assert said.returncode == 0, said.stderr
        assert JFK in said.stdout.lower()


@pytest.mark.slow
def test_pull_by_short_name_and_refuse_a_taken_name(hub: LocalHub, tmp_path: Path) -> None:
    result = _pull(hub, tmp_path, SHORT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {SHORT} -> ")
    settings = Settings(models_dir=tmp_path / "models", cache_dir=tmp_path / "cache")
    info = ModelRegistry(settings).resolve(SHORT_REPO)  # the hub id names the pulled model
    assert info.name == SHORT and info.source == "models_dir"
    again = _pull(hub, tmp_path, SHORT)
    assert again.returncode == 4 and "already exists" in again.stderr
    assert "--force" in again.stderr
    forced = _pull(hub, tmp_path, SHORT, "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [SHORT]


@pytest.mark.slow
def test_a_dropped_transfer_resumes_with_a_range_request(hub: LocalHub, tmp_path: Path) -> None:
    hub.faults.drop(REPO, "model.bin", after=40_000_000)
    before = len(hub.downloads("model.bin"))
    result = _pull(hub, tmp_path, REPO, "--name", "resumed")
    assert result.returncode == 0, result.stderr
    gets = hub.downloads("model.bin")[before:]
    assert len(gets) == 2 and gets[0]["range"] == ""
    start = int(gets[1]["range"].removeprefix("bytes=").removesuffix("-"))
    assert 0 < start <= 40_000_000
    env = hub.env(tmp_path / "hf-home")
    verify = _stt(env, "models", "verify", "resumed", "--models-dir", str(tmp_path / "models"))
    assert verify.returncode == 0, verify.stderr


@pytest.mark.slow
def test_a_pull_cut_off_keeps_finished_files_for_the_next(hub: LocalHub, tmp_path: Path) -> None:
    hub.faults.drop(REPO, "model.bin", after=0, times=20)  # more than the library retries
    try:
        cut = _pull(hub, tmp_path, REPO, "--name", "cut")
    finally:
        hub.faults.drops.clear()
    assert cut.returncode == 4 and "cannot reach the model hub" in cut.stderr
    staging = tmp_path / "models" / ".pull-cut"
    assert (staging / "tokenizer.json").is_file() and not (staging / "model.bin").exists()
    env, models = hub.env(tmp_path / "hf-home"), str(tmp_path / "models")
    listed = json.loads(_stt(env, "models", "list", "--models-dir", models, "--json").stdout)
    assert "cut" not in {r["name"] for r in listed}
    before = len(hub.downloads("tokenizer.json"))
    again = _pull(hub, tmp_path, REPO, "--name", "cut")
    assert again.returncode == 0, again.stderr
    assert len(hub.downloads("tokenizer.json")) == before  # kept, not fetched again
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["cut"]


def test_corrupted_bytes_are_refused_and_nothing_is_kept(hub: LocalHub, tmp_path: Path) -> None:
    hub.faults.corrupt.add((REPO, "tokenizer.json"))
    try:
        result = _pull(hub, tmp_path, REPO)
    finally:
        hub.faults.corrupt.clear()
    assert result.returncode == 4
    assert "differs from what the hub published: tokenizer.json: git-sha1" in result.stderr
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_repository_and_revision(hub: LocalHub, tmp_path: Path) -> None:
    missing = _pull(hub, tmp_path, "stt-test/no-such-model")
    assert missing.returncode == 4
    assert f"repository stt-test/no-such-model not found on {hub.url}" in missing.stderr
    assert "HF_TOKEN" in missing.stderr
    revision = _pull(hub, tmp_path, REPO, "--revision", "v9")
    assert revision.returncode == 4 and f"revision 'v9' of {REPO} not found" in revision.stderr
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_gated_repository_needs_a_token(hub: LocalHub, tmp_path: Path) -> None:
    refused = _pull(hub, tmp_path, GATED)
    assert refused.returncode == 4 and f"{GATED} is gated" in refused.stderr
    assert "hint: set HF_TOKEN" in refused.stderr
    # with the token the hub answers; this repository then fails as what it is: not Whisper
    allowed = _pull(hub, tmp_path, GATED, HF_TOKEN=TOKEN)
    assert allowed.returncode == 4 and "config.json does not describe a Whisper" in allowed.stderr
    assert any(r["auth"] == f"Bearer {TOKEN}" for r in hub.requests)


def test_a_repository_that_is_not_whisper(hub: LocalHub, tmp_path: Path) -> None:
    result = _pull(hub, tmp_path, "stt-test/bert")
    assert result.returncode == 4
    assert "stt-test/bert: config.json does not describe a Whisper model" in result.stderr
    assert list((tmp_path / "models").iterdir()) == []


def test_no_network_says_where_to_pull(hub: LocalHub, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = _pull(hub, tmp_path, SHORT, HF_ENDPOINT=closed)
    assert result.returncode == 4
    assert f"cannot reach the model hub at {closed}" in result.stderr
    assert "machine with internet" in result.stderr and "bundle build" in result.stderr
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_converting_a_ctranslate2_repository_is_refused(hub: LocalHub, tmp_path: Path) -> None:
    before = len(hub.downloads("model.bin"))
    result = _pull(hub, tmp_path, REPO, "--quantization", "int8")
    assert result.returncode == 4 and "already a CTranslate2 model" in result.stderr
    assert len(hub.downloads("model.bin")) == before  # refused before any download


_BUNDLE_MODELS = """
import json, sys
from pathlib import Path
from stt_engine.bundle.model_copy import add_models
from stt_engine.config import Settings
settings = Settings(models_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
print(json.dumps(add_models(tuple(sys.argv[4:]), settings, Path(sys.argv[3]))))
"""


@pytest.mark.slow
def test_bundle_models_pull_what_the_models_dir_lacks(hub: LocalHub, tmp_path: Path) -> None:
    models, staged = tmp_path / "models", tmp_path / "bundle-models"
    paths = [str(models), str(tmp_path / "cache"), str(staged)]
    command = [sys.executable, "-c", _BUNDLE_MODELS, *paths, REPO, SHORT, "base"]
    env = hub.env(tmp_path / "hf-home")
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    added = json.loads(result.stdout.splitlines()[-1])
    assert sorted(added) == ["base", SHORT, "whisper-base-ct2"]
    assert sorted(p.name for p in models.iterdir()) == [SHORT, "whisper-base-ct2"]
    origin = manifest_origin(staged / SHORT)  # the bundled copy keeps where it came from
    assert origin is not None and origin["repo_id"] == SHORT_REPO
    assert manifest_origin(staged / "base") is None
    pulls = len(hub.downloads("model.bin"))
    again = subprocess.run(
        [*command[:5], str(tmp_path / "again"), REPO, SHORT], capture_output=True, text=True,
        timeout=600, env=env,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert len(hub.downloads("model.bin")) == pulls  # already there: nothing fetched


def test_bundle_models_refuse_a_name_no_hub_has(hub: LocalHub, tmp_path: Path) -> None:
    paths = [str(tmp_path / "models"), str(tmp_path / "cache"), str(tmp_path / "staged")]
    command = [sys.executable, "-c", _BUNDLE_MODELS, *paths, "stt-test/no-such-model"]
    env = hub.env(tmp_path / "hf-home")
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode != 0
    assert "ModelNotFoundError: repository stt-test/no-such-model not found" in result.stderr
