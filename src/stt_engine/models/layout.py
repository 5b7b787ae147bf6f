"""What a model folder must hold, which format it is in, and checksums of its files.

Formats: ``ctranslate2`` (model.bin, config.json, tokenizer.json or vocabulary.*) and
``transformers`` (a Hugging Face Whisper checkpoint: config.json with ``model_type`` whisper,
safetensors or PyTorch weights, tokenizer files). The format picks the backend.
"""

from __future__ import annotations

import json
from pathlib import Path

from stt_engine.errors import ModelInvalidError
from stt_engine.files import sha256_file

MANIFEST_NAME = "stt-engine-model.json"

CTRANSLATE2 = "ctranslate2"
TRANSFORMERS = "transformers"
_HF_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_HF_TOKENIZER = ("tokenizer.json", "vocab.json")


def check_folder(folder: Path) -> str:
    """The folder's format; ModelInvalidError naming the first missing or malformed file."""
    if not folder.is_dir():
        raise ModelInvalidError(f"model folder {folder} does not exist or is not a folder")
    if not (folder / "model.bin").is_file() and _hf_config(folder) is not None:
        _check_transformers(folder)
        return TRANSFORMERS
    _check_ctranslate2(folder)
    return CTRANSLATE2


def folder_format(folder: Path) -> str | None:
    """The format a folder looks like at a glance (no checks), or None for neither."""
    if (folder / "model.bin").is_file():
        return CTRANSLATE2
    return TRANSFORMERS if _hf_config(folder) is not None else None


def _hf_config(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("model_type") == "whisper" else None


def _check_transformers(folder: Path) -> None:
    has_weights = any(folder.glob("*.safetensors")) or (folder / "pytorch_model.bin").is_file()
    if not has_weights:
        raise ModelInvalidError(
            f"Hugging Face Whisper folder {folder} has no weights",
            hint=f"expected one of {', '.join(_HF_WEIGHTS)} (or sharded *.safetensors)",
        )
    if not any((folder / name).is_file() for name in _HF_TOKENIZER):
        raise ModelInvalidError(
            f"Hugging Face Whisper folder {folder} has no tokenizer",
            hint=f"expected {' or '.join(_HF_TOKENIZER)} beside config.json",
        )


def _check_ctranslate2(folder: Path) -> None:
    weights = folder / "model.bin"
    if not weights.is_file():
        raise ModelInvalidError(
            f"model folder {folder} has no model.bin",
            hint="a CTranslate2 Whisper model holds model.bin, config.json and tokenizer.json; "
            "a Hugging Face Whisper checkpoint holds config.json (model_type whisper), "
            "model.safetensors and tokenizer.json",
        )
    if weights.stat().st_size == 0:
        raise ModelInvalidError(f"{weights} is empty")
    _check_config(folder / "config.json")
    has_vocab = any(folder.glob("vocabulary.*"))
    if not (folder / "tokenizer.json").is_file() and not has_vocab:
        raise ModelInvalidError(
            f"model folder {folder} has neither tokenizer.json nor vocabulary.txt/json"
        )


def _check_config(config: Path) -> None:
    if not config.is_file():
        raise ModelInvalidError(f"model folder {config.parent} has no config.json")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelInvalidError(f"{config} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelInvalidError(f"{config} must hold a JSON object")


def folder_languages(folder: Path) -> str:
    """'multilingual' or 'en', judged from the tokenizer's language tokens in config.json."""
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    if isinstance(data, dict) and data.get("model_type") == "whisper":
        # Hugging Face: English-only Whisper vocabularies hold 51864 tokens, multilingual more.
        return "multilingual" if int(data.get("vocab_size") or 0) > 51864 else "en"
    lang_ids = data.get("lang_ids") if isinstance(data, dict) else None
    if isinstance(lang_ids, list) and len(lang_ids) > 1:
        return "multilingual"
    return "en" if folder.name.endswith(".en") or lang_ids is not None else "unknown"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def write_manifest(folder: Path, origin: dict[str, object] | None = None) -> Path:
    """Record size and sha256 of every file in the folder (used by `bundle` and `verify`).

    ``origin`` says where the files came from (``models pull`` records the hub, repository,
    revision asked for and commit); it is kept as the manifest's ``origin`` entry.
    """
    files = {
        p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME
    }
    content: dict[str, object] = {"origin": origin} if origin else {}
    content["files"] = files
    target = folder / MANIFEST_NAME
    target.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return target


def manifest_origin(folder: Path) -> dict[str, object] | None:
    """The ``origin`` entry of the folder's manifest, or None (no manifest, none recorded)."""
    try:
        origin = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")).get("origin")
    except (OSError, ValueError, AttributeError):
        return None
    return origin if isinstance(origin, dict) else None


def config_format(folder: Path) -> str | None:
    """Which Whisper format the folder's config.json describes, or None for anything else.

    A Hugging Face checkpoint says ``model_type: whisper``; a CTranslate2 Whisper conversion
    carries Whisper's decoding tables (``suppress_ids``, ``lang_ids``, ``alignment_heads``).
    """
    if _hf_config(folder) is not None:
        return TRANSFORMERS
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    whisper_keys = ("suppress_ids", "lang_ids", "alignment_heads")
    return CTRANSLATE2 if isinstance(data, dict) and any(k in data for k in whisper_keys) else None


def verify_manifest(folder: Path) -> list[str]:
    """Problems found against the folder's manifest; empty when all files match."""
    manifest = folder / MANIFEST_NAME
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{manifest}: unreadable manifest ({exc})"]
    problems: list[str] = []
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != expected["size"]:
            problems.append(f"{name}: size {path.stat().st_size} != {expected['size']}")
        elif sha256_file(path) != expected["sha256"]:
            problems.append(f"{name}: sha256 mismatch")
    return problems
