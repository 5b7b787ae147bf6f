"""GPU memory in use, read through NVML (the driver's library) with ctypes, for /metrics."""

from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)


class _Memory(ctypes.Structure):
    _fields_ = [
        ("total", ctypes.c_ulonglong),
        ("free", ctypes.c_ulonglong),
        ("used", ctypes.c_ulonglong),
    ]


class GpuMemory:
    """Reads used and total bytes of one GPU; reads nothing when NVML is missing."""

    def __init__(self, index: int):
        self._index = index
        self._lib: Any = None
        try:
            lib = ctypes.CDLL("libnvidia-ml.so.1")
            if lib.nvmlInit_v2() == 0:
                self._lib = lib
        except OSError as exc:
            log.info("GPU memory metrics off: %s", exc)

    def read(self) -> tuple[int, int] | None:
        """(used, total) bytes, or None when unknown."""
        if self._lib is None:
            return None
        handle = ctypes.c_void_p()
        index = ctypes.c_uint(self._index)
        if self._lib.nvmlDeviceGetHandleByIndex_v2(index, ctypes.pointer(handle)) != 0:
            return None
        memory = _Memory()
        if self._lib.nvmlDeviceGetMemoryInfo(handle, ctypes.pointer(memory)) != 0:
            return None
        return int(memory.used), int(memory.total)
