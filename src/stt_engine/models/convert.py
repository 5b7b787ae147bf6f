"""Hugging Face Whisper checkpoint -> CTranslate2 folder, with CTranslate2's own converter.

The converter loads the checkpoint with ``transformers`` (and ``torch``), so those must be
installed on the machine that converts (``pip install 'stt-engine[torch]'``); the converted
folder then runs anywhere the CTranslate2 backend does. The folder gets the tokenizer and
feature-extractor files beside the weights (faster-whisper would otherwise fetch a tokenizer
from the hub) and a checksum manifest.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path

from stt_engine.errors import ModelConversionError as ConversionError
from stt_engine.errors import ModelInvalidError
from stt_engine.models.layout import TRANSFORMERS, check_folder, write_manifest

QUANTIZATIONS = ("float16", "int8_float16", "int8", "int8_bfloat16", "bfloat16", "float32")
_COPIED = ("tokenizer.json", "preprocessor_config.json")
Report = Callable[[str], None]


def convert_to_ctranslate2(
    source: Path,
    out: Path,
    quantization: str | None = None,
    *,
    force: bool = False,
    report: Report = lambda line: None,
) -> Path:
    """Convert the checkpoint at ``source`` into a CTranslate2 folder at ``out``."""
    _check_request(source, out, quantization, force)
    _require("transformers", "torch", "ctranslate2")
    from ctranslate2.converters import TransformersConverter

    report(f"loading {source} with transformers")
    copied = [name for name in _COPIED if (source / name).is_file()]
    converter = TransformersConverter(str(source), copy_files=copied, low_cpu_mem_usage=True)
    report(f"converting to CTranslate2 ({quantization or 'weights as stored'})")
    try:
        converter.convert(str(out), quantization=quantization, force=force)
    except (ValueError, RuntimeError, OSError) as exc:
        shutil.rmtree(out, ignore_errors=True)
        raise ConversionError(f"CTranslate2 could not convert {source}: {exc}") from exc
    if not (out / "tokenizer.json").is_file():
        _write_tokenizer(source, out)
    check_folder(out)
    report(f"recorded checksums in {write_manifest(out).name}")
    return out


def _check_request(source: Path, out: Path, quantization: str | None, force: bool) -> None:
    if check_folder(source) != TRANSFORMERS:
        raise ModelInvalidError(
            f"{source} is already a CTranslate2 folder",
            hint="models convert reads Hugging Face Whisper checkpoints (config.json, "
            "model.safetensors, tokenizer.json)",
        )
    if quantization is not None and quantization not in QUANTIZATIONS:
        raise ConversionError(
            f"unknown quantization '{quantization}'", hint=f"one of {', '.join(QUANTIZATIONS)}"
        )
    if out.exists() and any(out.iterdir()) and not force:
        raise ConversionError(f"{out} exists and is not empty", hint="pass --force to replace it")


def _require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ConversionError(
            f"converting needs {', '.join(missing)}, which this installation lacks",
            hint="pip install 'stt-engine[torch]' on the machine that converts",
        )


def _write_tokenizer(source: Path, out: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
