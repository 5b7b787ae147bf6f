"""Model resolution order, aliases, malformed folders, and safe assembly of split weights."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from stt_engine.config import Settings
from stt_engine.errors import ModelInvalidError, ModelNotFoundError
from stt_engine.models import ModelRegistry
from stt_engine.models.assemble import packaged_folder
from stt_engine.models.catalog import PackagedFile, PackagedModel
from stt_engine.models.layout import write_manifest


def _fake_model(folder: Path, *, weights: bytes = b"weights") -> Path:
    folder.mkdir(parents=True)
    (folder / "model.bin").write_bytes(weights)
    (folder / "config.json").write_text(json.dumps({"lang_ids": [1, 2, 3]}))
    (folder / "tokenizer.json").write_text("{}")
    return folder


def _settings(tmp_path: Path) -> Settings:
    return Settings(models_dir=tmp_path / "models", cache_dir=tmp_path / "cache", device="cpu")


def test_packaged_default_and_aliases_resolve(tmp_path: Path) -> None:
    registry = ModelRegistry(_settings(tmp_path))
    for name in (None, "whisper-1", "base", "Systran/faster-whisper-base"):
        info = registry.resolve(name)
        assert info.name == "base" and info.source == "package" and info.multilingual
    assert (tmp_path / "cache/models/base/model.bin").stat().st_size == 145_217_532
    assert registry.verify("base") == []
    assert registry.resolve("tiny.en").languages == "en"


def test_models_dir_wins_over_packages_and_explicit_path_works(tmp_path: Path) -> None:
    own = _fake_model(tmp_path / "models" / "base")
    registry = ModelRegistry(_settings(tmp_path))
    assert registry.resolve("whisper-1").path == own
    other = _fake_model(tmp_path / "elsewhere" / "large-v3")
    info = registry.resolve(str(other))
    assert info.source == "path" and info.path == other
    assert "large-v3" not in registry.names()


def test_unknown_model_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="'large-v9' not found") as caught:
        ModelRegistry(_settings(tmp_path)).resolve("large-v9")
    assert caught.value.hint is not None and "base" in caught.value.hint


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("model.bin", "has no model.bin"),
        ("config.json", "has no config.json"),
        ("tokenizer.json", "neither tokenizer.json nor vocabulary"),
    ],
)
def test_malformed_folder_names_the_missing_file(tmp_path: Path, broken: str, message: str) -> None:
    folder = _fake_model(tmp_path / "models" / "mine")
    (folder / broken).unlink()
    with pytest.raises(ModelInvalidError, match=message):
        ModelRegistry(_settings(tmp_path)).resolve("mine")


def test_bad_config_json_is_named(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path / "models" / "mine")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelInvalidError, match="config.json is not valid JSON"):
        ModelRegistry(_settings(tmp_path)).resolve("mine")


def test_manifest_catches_a_changed_byte(tmp_path: Path) -> None:
    folder = _fake_model(tmp_path / "models" / "mine", weights=b"abcdef" * 100)
    write_manifest(folder)
    registry = ModelRegistry(_settings(tmp_path))
    assert registry.verify("mine") == []
    data = bytearray((folder / "model.bin").read_bytes())
    data[10] ^= 0xFF
    (folder / "model.bin").write_bytes(bytes(data))
    assert registry.verify("mine") == ["model.bin: sha256 mismatch"]


def _split_package(root: Path, parts: list[bytes]) -> PackagedModel:
    """An installed-looking package holding split weights, importable from ``root``."""
    package = root / "fake_split_model"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for i, part in enumerate(parts, start=1):
        (package / "data" / f"model.bin.part{i}").write_bytes(part)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (package / "data" / name).write_text("{}")
    whole = b"".join(parts)
    return PackagedModel(
        name="fake",
        description="",
        languages="multilingual",
        weights=tuple(
            PackagedFile("fake_split_model", f"data/model.bin.part{i}")
            for i in range(1, len(parts) + 1)
        ),
        support_files=tuple(
            PackagedFile("fake_split_model", f"data/{n}")
            for n in ("config.json", "tokenizer.json", "vocabulary.txt")
        ),
        weights_sha256=hashlib.sha256(whole).hexdigest(),
        weights_size=len(whole),
        extra="models",
    )


def test_split_weights_assemble_and_bad_checksum_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _split_package(tmp_path / "site", [b"a" * 1000, b"b" * 500])
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    folder = packaged_folder(model, tmp_path / "cache")
    assert (folder / "model.bin").read_bytes() == b"a" * 1000 + b"b" * 500
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    bad = replace(model, name="bad", weights_sha256="0" * 64)
    with pytest.raises(ModelInvalidError, match="do not match their checksum"):
        packaged_folder(bad, tmp_path / "cache")
    assert not (tmp_path / "cache/models/bad").exists()
    assert not [p for p in (tmp_path / "cache/models").iterdir() if p.name.startswith(".bad-")]


_RACE = """
import sys, pickle
sys.path.insert(0, sys.argv[1])
from stt_engine.models.assemble import packaged_folder
model = pickle.loads(bytes.fromhex(sys.argv[2]))
from pathlib import Path
print(packaged_folder(model, Path(sys.argv[3])))
"""


def test_two_processes_assembling_at_once_both_get_the_whole_model(tmp_path: Path) -> None:
    import pickle

    parts = [bytes([i]) * 4_000_000 for i in range(1, 6)]
    model = _split_package(tmp_path / "site", parts)
    args = [
        sys.executable,
        "-c",
        _RACE,
        str(tmp_path / "site"),
        pickle.dumps(model).hex(),
        str(tmp_path / "cache"),
    ]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outs)) == 1
    assert Path(outs[0], "model.bin").read_bytes() == b"".join(parts)
    leftovers = [p for p in (tmp_path / "cache/models").iterdir() if p.name.startswith(".fake-")]
    assert leftovers == []
    shutil.rmtree(tmp_path / "cache")
