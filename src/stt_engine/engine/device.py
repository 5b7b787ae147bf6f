"""Choose CUDA or CPU, and make pip-installed CUDA libraries loadable without LD_LIBRARY_PATH.

What a backend can see comes in a :class:`CudaProbe` that the backend provides (see
backends.py); this module knows no backend library. CTranslate2 opens libcublas.so.12 (and,
for some releases, cuDNN) by name when it first uses
the GPU. Loading those libraries from the ``nvidia-*`` wheels with RTLD_GLOBAL beforehand makes
that lookup succeed, so users need no environment variables.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from stt_engine.config import Settings
from stt_engine.engine.contract import DeviceChoice
from stt_engine.errors import DeviceError

log = logging.getLogger(__name__)

# Loaded in this order; each needs the ones before it.
CUDA_LIBRARIES: tuple[str, ...] = ("libcublasLt.so.12", "libcublas.so.12")
OPTIONAL_LIBRARIES: tuple[str, ...] = ("libcudnn.so.9",)
GPU_HINT = "pip install 'stt-engine[gpu]' (nvidia-cublas-cu12) or run `stt-engine doctor`"


@dataclass(frozen=True, slots=True)
class CudaProbe:
    """What the device choice depends on; tests pass their own."""

    gpu_count: Callable[[], int]
    library_dirs: Callable[[], list[Path]]
    gpu_name: Callable[[int], str]
    backend: str = "CTranslate2"  # named in the reasons
    needs_libraries: bool = True  # the pip CUDA 12 libraries must load (CTranslate2)
    hint: str = GPU_HINT  # what to do when CUDA was demanded but is unusable


def pip_library_dirs(paths: Iterable[str] | None = None) -> list[Path]:
    """``nvidia/*/lib`` folders of pip-installed CUDA wheels on sys.path."""
    found: list[Path] = []
    for entry in paths if paths is not None else sys.path:
        root = Path(entry) / "nvidia"
        if root.is_dir():
            found.extend(sorted(p for p in root.glob("*/lib") if p.is_dir()))
    return found


def load_cuda_libraries(dirs: list[Path]) -> str | None:
    """Load the CUDA libraries CTranslate2 needs; the failure reason, or None when loaded."""
    for name in CUDA_LIBRARIES:
        error = _load_first(name, dirs)
        if error is not None:
            return error
    for name in OPTIONAL_LIBRARIES:
        _load_first(name, dirs)
    return None


def _load_first(name: str, dirs: list[Path]) -> str | None:
    candidates = [d / name for d in dirs if (d / name).exists()]
    errors: list[str] = []
    for candidate in [*candidates, Path(name)]:
        try:
            ctypes.CDLL(str(candidate), mode=ctypes.RTLD_GLOBAL)
            return None
        except OSError as exc:
            errors.append(str(exc))
    return f"{name} could not be loaded ({errors[0]})"


def choose_device(settings: Settings, probe: CudaProbe) -> DeviceChoice:
    """CUDA when asked for or available and usable, else CPU; the reason is always given."""
    if settings.device == "cpu":
        return _cpu(settings, "device=cpu was asked for")
    reason = _cuda_unusable(probe)
    if reason is None:
        return DeviceChoice(
            device="cuda",
            compute_type=_gpu_compute_type(settings.compute_type),
            reason="CUDA device usable",
            name=probe.gpu_name(settings.device_index),
            device_index=settings.device_index,
        )
    if settings.device == "cuda":
        raise DeviceError(f"device=cuda was asked for but {reason}", hint=probe.hint)
    return _cpu(settings, reason)


def _cuda_unusable(probe: CudaProbe) -> str | None:
    try:
        count = probe.gpu_count()
    except Exception as exc:  # a broken driver raises here; it means "no CUDA"
        return f"{probe.backend} could not query CUDA ({exc})"
    if count < 1:
        return f"no CUDA device visible to {probe.backend}"
    return load_cuda_libraries(probe.library_dirs()) if probe.needs_libraries else None


def _gpu_compute_type(requested: str) -> str:
    return "float16" if requested == "auto" else requested


def _cpu(settings: Settings, reason: str) -> DeviceChoice:
    compute_type = "int8" if settings.compute_type == "auto" else settings.compute_type
    if compute_type in ("float16", "int8_float16", "bfloat16", "int8_bfloat16"):
        compute_type = "int8"  # not supported on CPU; int8 is the fast CPU type
    threads = settings.cpu_threads or os.cpu_count() or 1
    return DeviceChoice(device="cpu", compute_type=compute_type, reason=reason, cpu_threads=threads)
