"""The backends the engine can load, keyed by the model folder formats they read.

Each kind says how to load a model folder on a device, how to see CUDA devices (its own
library's view of them) and which compute types it runs. The model registry names a folder's
format; the ``backend`` setting (auto: the format decides) picks the kind here, so a new
backend plugs in without touching the server, jobs or CLI.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from stt_engine.config import Settings
from stt_engine.engine.contract import Backend, DeviceChoice
from stt_engine.engine.device import CudaProbe, pip_library_dirs
from stt_engine.engine.gpu import gpu_name
from stt_engine.errors import ModelInvalidError
from stt_engine.models.layout import CTRANSLATE2, TRANSFORMERS

BACKENDS = {"ctranslate2": CTRANSLATE2, "torch": TRANSFORMERS}  # backend -> format it reads


@dataclass(frozen=True, slots=True)
class BackendKind:
    name: str
    load: Callable[[Path, DeviceChoice, Settings, int], Backend]  # ..., replicas
    probe: Callable[[], CudaProbe]
    compute_type: Callable[[DeviceChoice], DeviceChoice] = lambda choice: choice
    package: str = ""  # the module that must be importable


def _load_ct2(path: Path, device: DeviceChoice, settings: Settings, replicas: int) -> Backend:
    from stt_engine.engine.whisper_ct2 import WhisperCT2Backend

    return WhisperCT2Backend(path, device, num_workers=replicas)


def _ct2_gpu_count() -> int:
    from stt_engine.engine.whisper_ct2 import gpu_count

    return gpu_count()


def _ct2_probe() -> CudaProbe:
    return CudaProbe(_ct2_gpu_count, pip_library_dirs, gpu_name, backend="CTranslate2")


def _load_torch(path: Path, device: DeviceChoice, settings: Settings, replicas: int) -> Backend:
    from stt_engine.engine.whisper_torch import WhisperTorchBackend

    return WhisperTorchBackend(path, device)


def _torch_gpu_count() -> int:
    from stt_engine.engine.torch_device import gpu_count

    return gpu_count()


def _torch_probe() -> CudaProbe:
    # PyTorch's CUDA wheels carry and load their own CUDA libraries.
    return CudaProbe(
        _torch_gpu_count,
        list,
        gpu_name,
        backend="PyTorch",
        needs_libraries=False,
        hint="install a CUDA build of torch (bundle flavour torch-cuda12) or run "
        "`stt-engine doctor`",
    )


def _torch_compute_type(choice: DeviceChoice) -> DeviceChoice:
    """PyTorch runs float16 / bfloat16 / float32; int8 types become their float part."""
    if choice.device == "cpu":
        return replace(choice, compute_type="float32")
    wanted = choice.compute_type.removeprefix("int8_").replace("int8", "float16")
    return replace(choice, compute_type=wanted if wanted != "default" else "float16")


KINDS: dict[str, BackendKind] = {
    CTRANSLATE2: BackendKind("ctranslate2", _load_ct2, _ct2_probe, package="ctranslate2"),
    TRANSFORMERS: BackendKind(
        "torch", _load_torch, _torch_probe, _torch_compute_type, package="transformers"
    ),
}


def kind_for(model_format: str, backend: str = "auto") -> BackendKind:
    """The backend for a folder format; ModelInvalidError when it cannot read the folder."""
    if backend != "auto" and BACKENDS.get(backend) != model_format:
        raise ModelInvalidError(
            f"backend {backend} cannot read {model_format} model folders",
            hint=_convert_hint(model_format, backend),
        )
    kind = KINDS[model_format]
    if importlib.util.find_spec(kind.package) is None:
        raise ModelInvalidError(
            f"{model_format} model folders need the {kind.name} backend, which is not installed",
            hint="pip install 'stt-engine[torch]'"
            if kind.name == "torch"
            else "pip install ctranslate2",
        )
    return kind


def backend_name(model_format: str, backend: str = "auto") -> str:
    """The backend that serves a folder of this format under the ``backend`` setting."""
    if backend != "auto":
        return backend
    return next(name for name, fmt in BACKENDS.items() if fmt == model_format)


def kind_named(backend: str) -> BackendKind:
    """The kind a backend name stands for (``ctranslate2`` or ``torch``)."""
    return KINDS[BACKENDS[backend]]


def _convert_hint(model_format: str, backend: str) -> str:
    if model_format == TRANSFORMERS:
        return "convert it: stt-engine models convert SRC --to ctranslate2 --out DIR"
    return f"use --backend auto (or ctranslate2) for this model, or bring a {backend} checkpoint"
