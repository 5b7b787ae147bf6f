"""The backends the engine can load, keyed by the model folder formats they read.

Each kind says how to load a model folder on a device and how to see CUDA devices (its own
library's view of them). The model registry names a folder's format; the engine picks the kind
here, so a new backend plugs in without touching the server, jobs or CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stt_engine.config import Settings
from stt_engine.engine.backend import Backend, DeviceChoice
from stt_engine.engine.device import CudaProbe, pip_library_dirs
from stt_engine.engine.gpu import gpu_name
from stt_engine.errors import ModelInvalidError
from stt_engine.models.layout import CTRANSLATE2, TRANSFORMERS


@dataclass(frozen=True, slots=True)
class BackendKind:
    name: str
    load: Callable[[Path, DeviceChoice, Settings, int], Backend]  # ..., replicas
    probe: Callable[[], CudaProbe]


def _load_ct2(path: Path, device: DeviceChoice, settings: Settings, replicas: int) -> Backend:
    from stt_engine.engine.whisper_ct2 import WhisperCT2Backend

    return WhisperCT2Backend(path, device, num_workers=replicas)


def _ct2_gpu_count() -> int:
    from stt_engine.engine.whisper_ct2 import gpu_count

    return gpu_count()


def _ct2_probe() -> CudaProbe:
    return CudaProbe(_ct2_gpu_count, pip_library_dirs, gpu_name, backend="CTranslate2")


KINDS: dict[str, BackendKind] = {
    CTRANSLATE2: BackendKind("ctranslate2", _load_ct2, _ct2_probe),
}


def kind_for(model_format: str) -> BackendKind:
    """The backend that reads ``model_format``; ModelInvalidError when none is installed."""
    kind = KINDS.get(model_format)
    if kind is None:
        hint = "convert it with CTranslate2's converter" if model_format == TRANSFORMERS else ""
        raise ModelInvalidError(
            f"no backend in this installation reads {model_format} model folders",
            hint=hint or f"supported formats: {', '.join(KINDS)}",
        )
    return kind
