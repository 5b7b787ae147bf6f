"""`models convert` and `models import` on a real checkpoint, through the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.errors import ModelConversionError, ModelInvalidError
from stt_engine.models.carry import import_folder
from stt_engine.models.convert import convert_to_ctranslate2
from stt_engine.models.layout import CTRANSLATE2, MANIFEST_NAME, check_folder, verify_manifest


def _models(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stt_engine.cli", "models", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def converted(hf_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("converted") / "base-from-hf"
    result = _models("convert", str(hf_base), "--quantization", "int8", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "converting to CTranslate2 (int8)" in result.stderr and "ok:" in result.stdout
    return out


def test_converted_folder_is_complete_and_checksummed(converted: Path) -> None:
    assert check_folder(converted) == CTRANSLATE2
    assert (converted / "tokenizer.json").is_file()
    assert (converted / "preprocessor_config.json").is_file()
    assert verify_manifest(converted) == []
    config = json.loads((converted / "config.json").read_text(encoding="utf-8"))
    assert len(config["alignment_heads"]) == 8 and len(config["lang_ids"]) == 99


@pytest.mark.slow
def test_converted_model_transcribes_like_the_packaged_one(
    converted: Path, ct2_engine: Engine, jfk: Path, audio_dir: Path
) -> None:
    clips = [jfk, audio_dir / "ko/emotiontts/Main/main/lmy/lmy02044.flac"]
    for clip in clips:
        audio = ct2_engine.decode(clip)
        ours = ct2_engine.transcribe_all(audio, TranscribeOptions(), model=str(converted))
        packaged = ct2_engine.transcribe_all(audio, TranscribeOptions(), model="base")
        # the same words; a final full stop may differ with the CPU's int8 arithmetic
        assert _plain(ours.text) == _plain(packaged.text) and ours.language == packaged.language


def _plain(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text).split()


def test_import_copies_with_a_manifest_and_the_server_lists_it(
    hf_base: Path, tmp_path: Path
) -> None:
    models_dir = tmp_path / "models"
    result = _models(
        "import", str(hf_base), "--name", "ko-finetune", "--models-dir", str(models_dir)
    )
    assert result.returncode == 0, result.stderr
    assert "(transformers, backend torch)" in result.stdout
    assert verify_manifest(models_dir / "ko-finetune") == []
    listed = _models("list", "--models-dir", str(models_dir), "--json")
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["ko-finetune"]["format"] == "transformers"
    assert rows["ko-finetune"]["backend"] == "torch"
    assert rows["base"]["backend"] == "ctranslate2"


def test_import_refuses_a_taken_name_a_bad_name_and_a_corrupt_copy(
    hf_base: Path, tmp_path: Path
) -> None:
    models_dir = tmp_path / "models"
    import_folder(hf_base, models_dir, "one", link=True)
    assert (models_dir / "one").is_symlink()
    with pytest.raises(ModelInvalidError, match="already exists"):
        import_folder(hf_base, models_dir, "one")
    with pytest.raises(ModelInvalidError, match="invalid model name"):
        import_folder(hf_base, models_dir, "../escape")
    corrupt = tmp_path / "corrupt"
    shutil.copytree(hf_base, corrupt)
    (corrupt / MANIFEST_NAME).write_text(
        json.dumps({"files": {"config.json": {"size": 1, "sha256": "0" * 64}}}), encoding="utf-8"
    )
    with pytest.raises(ModelInvalidError, match="does not match its manifest"):
        import_folder(corrupt, models_dir, "two")
    assert not (models_dir / "two").exists()


def test_convert_refuses_what_it_cannot_do(
    hf_base: Path, converted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ModelInvalidError, match="already a CTranslate2 folder"):
        convert_to_ctranslate2(converted, tmp_path / "out")
    with pytest.raises(ModelConversionError, match="exists and is not empty"):
        convert_to_ctranslate2(hf_base, converted)
    with pytest.raises(ModelConversionError, match="unknown quantization"):
        convert_to_ctranslate2(hf_base, tmp_path / "out", "int4")
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(ModelConversionError, match="needs transformers") as info:
        convert_to_ctranslate2(hf_base, tmp_path / "out")
    assert "stt-engine[torch]" in (info.value.hint or "")


def test_half_a_checkpoint_names_what_is_missing(hf_base: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy2(hf_base / "config.json", partial / "config.json")
    with pytest.raises(ModelInvalidError, match="has no weights") as info:
        check_folder(partial)
    assert "model.safetensors" in (info.value.hint or "")
    shutil.copy2(hf_base / "model.safetensors", partial / "model.safetensors")
    with pytest.raises(ModelInvalidError, match="has no tokenizer"):
        check_folder(partial)
