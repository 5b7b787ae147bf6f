"""Names `models pull` understands, the files it picks, and what the registry says about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.config import Settings
from stt_engine.errors import ModelNotFoundError
from stt_engine.models import ModelRegistry
from stt_engine.models.aliases import ALIASES
from stt_engine.models.catalog import HUB
from stt_engine.models.hub import pick_files
from stt_engine.models.layout import CTRANSLATE2, TRANSFORMERS
from stt_engine.models.pull import is_pullable, local_name, repo_id


def test_short_names_and_repository_ids() -> None:
    assert repo_id("large-v3-turbo") == "deepdml/faster-whisper-large-v3-turbo-ct2"
    assert repo_id("someone/whisper-x") == "someone/whisper-x"
    assert local_name("large-v3") == "large-v3"
    assert local_name("Systran/faster-whisper-medium") == "medium"  # the table's own id
    assert local_name("someone/whisper-x") == "whisper-x"
    assert all(ALIASES[repo] == short for short, repo in HUB.items())
    assert is_pullable("small") and is_pullable("someone/whisper-x")
    assert not is_pullable("large-v9") and not is_pullable("./folder/x")
    assert not is_pullable("a/b/c") and not is_pullable("/abs")


def test_registry_points_a_missing_hub_model_at_pull(tmp_path: Path) -> None:
    registry = ModelRegistry(Settings(models_dir=tmp_path / "m", cache_dir=tmp_path / "c"))
    assert registry.canonical("Systran/faster-whisper-large-v3") == "large-v3"
    with pytest.raises(ModelNotFoundError) as caught:
        registry.resolve("deepdml/faster-whisper-large-v3-turbo-ct2")
    assert "'deepdml/faster-whisper-large-v3-turbo-ct2' not found" in caught.value.message
    assert caught.value.hint is not None
    assert "stt-engine models pull large-v3-turbo" in caught.value.hint


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            ["README.md", ".gitattributes", "config.json", "model.bin", "tokenizer.json",
             "vocabulary.json", "preprocessor_config.json"],
            (CTRANSLATE2, ("config.json", "model.bin", "preprocessor_config.json",
                           "tokenizer.json", "vocabulary.json")),
        ),
        (
            ["config.json", "model.safetensors", "flax_model.msgpack", "pytorch_model.bin",
             "tokenizer.json", "generation_config.json", "model.fp32-00001-of-00002.safetensors"],
            (TRANSFORMERS, ("config.json", "generation_config.json", "model.safetensors",
                            "tokenizer.json")),
        ),
        (
            ["config.json", "pytorch_model.bin", "vocab.json", "merges.txt"],
            (TRANSFORMERS, ("config.json", "merges.txt", "vocab.json", "pytorch_model.bin")),
        ),
        (["config.json", "tokenizer.json", "flax_model.msgpack"], (None, ())),
        (["model.bin", "tokenizer.json"], (None, ())),
    ],
)  # fmt: skip
def test_only_the_files_a_whisper_model_needs_are_fetched(
    names: list[str], expected: tuple[str | None, tuple[str, ...]]
) -> None:
    assert pick_files(names) == expected
