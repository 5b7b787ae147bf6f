"""The name of a GPU, read from NVML with ctypes (cosmetic: for the ``Device:`` line).

The engine does not import the doctor (a standalone, standard-library tool); this is the one
NVML call the engine needs.
"""

from __future__ import annotations

import ctypes

_NVML = "libnvidia-ml.so.1"


def gpu_name(index: int) -> str:
    """NVML's name for GPU ``index``, or ``GPU <index>`` when NVML cannot say."""
    try:
        lib = ctypes.CDLL(_NVML)
        if lib.nvmlInit_v2() != 0:
            return f"GPU {index}"
        handle = ctypes.c_void_p()
        buffer = ctypes.create_string_buffer(96)
        found = lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(handle))
        if found != 0 or lib.nvmlDeviceGetName(handle, buffer, ctypes.c_uint(96)) != 0:
            return f"GPU {index}"
        return buffer.value.decode("utf-8", "replace") or f"GPU {index}"
    except (OSError, AttributeError):
        return f"GPU {index}"
