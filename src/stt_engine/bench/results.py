"""The JSON result every bench command writes: machine, versions, settings, figures."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from stt_engine import __version__

PACKAGES = ("faster-whisper", "ctranslate2", "jiwer", "numpy")


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine(gpu: str | None = None) -> dict[str, Any]:
    """What the figures were measured on; ``gpu`` is the device name the engine used."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "gpu": gpu,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"stt-engine": __version__}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def envelope(kind: str, settings: dict[str, Any], gpu: str | None = None) -> dict[str, Any]:
    """The common head of a result: kind, time, machine, versions and settings."""
    return {
        "kind": kind,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(gpu),
        "versions": versions(),
        "settings": settings,
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_result(result: dict[str, Any], out_dir: Path, name: str) -> Path:
    """Write ``<out_dir>/<name>.json`` (pretty, UTF-8, Korean kept readable)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    text = json.dumps(result, ensure_ascii=False, indent=2, default=_plain)
    path.write_text(text + "\n", encoding="utf-8")
    return path
