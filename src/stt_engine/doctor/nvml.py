"""The driver as the driver libraries see it: NVML and ``cuDriverGetVersion`` through ctypes.

Every call goes through pointers made with :func:`ctypes.pointer`, so a fake library object in
tests can write results the same way the real one does.
"""

import ctypes
from typing import Any, List, Optional, Tuple

from .probe import Loader
from .records import DriverReading, GpuFacts
from .versions import cuda_from_int

NVML_LIBRARY = "libnvidia-ml.so.1"
CUDA_LIBRARY = "libcuda.so.1"
CUDA_ERROR_STUB_LIBRARY = 34


class _Memory(ctypes.Structure):
    _fields_ = [
        ("total", ctypes.c_ulonglong),
        ("free", ctypes.c_ulonglong),
        ("used", ctypes.c_ulonglong),
    ]


def _text(lib: Any, function: str, *args: Any) -> Optional[str]:
    buffer = ctypes.create_string_buffer(96)
    code = getattr(lib, function)(*args, buffer, ctypes.c_uint(96))
    if code != 0:
        return None
    return buffer.value.decode("utf-8", "replace")


def _gpu(lib: Any, index: int) -> GpuFacts:
    handle = ctypes.c_void_p()
    if lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.pointer(handle)) != 0:
        return GpuFacts(index=index)
    gpu = GpuFacts(index=index, name=_text(lib, "nvmlDeviceGetName", handle))
    memory = _Memory()
    if lib.nvmlDeviceGetMemoryInfo(handle, ctypes.pointer(memory)) == 0:
        gpu.memory_mib = int(memory.total // (1024 * 1024))
    major, minor = ctypes.c_int(), ctypes.c_int()
    code = lib.nvmlDeviceGetCudaComputeCapability(
        handle, ctypes.pointer(major), ctypes.pointer(minor)
    )
    if code == 0:
        gpu.compute_capability = "%d.%d" % (major.value, minor.value)
    return gpu


def _gpus(lib: Any) -> List[GpuFacts]:
    count = ctypes.c_uint()
    if lib.nvmlDeviceGetCount_v2(ctypes.pointer(count)) != 0:
        return []
    return [_gpu(lib, index) for index in range(count.value)]


def read_nvml(load: Loader) -> Tuple[DriverReading, List[GpuFacts]]:
    """Driver version, highest CUDA and GPUs from NVML."""
    reading = DriverReading(source="nvml")
    try:
        lib = load(NVML_LIBRARY)
    except OSError:
        reading.error = "%s not found (no NVIDIA driver, or a container without --gpus)" % (
            NVML_LIBRARY
        )
        return reading, []
    code = lib.nvmlInit_v2()
    if code != 0:
        reading.error = "nvmlInit_v2 failed with NVML error %d" % code
        return reading, []
    try:
        reading.version = _text(lib, "nvmlSystemGetDriverVersion")
        cuda = ctypes.c_int()
        if lib.nvmlSystemGetCudaDriverVersion_v2(ctypes.pointer(cuda)) == 0:
            reading.max_cuda = cuda_from_int(cuda.value)
        return reading, _gpus(lib)
    finally:
        lib.nvmlShutdown()


class GpuReader:
    """NVML opened once, for a running server: a GPU's name and memory in use.

    The engine and the server read the GPU through this (the doctor's NVML code is standard
    library only, so importing it costs nothing); every read answers None when NVML cannot.
    """

    def __init__(self, load: Loader = ctypes.CDLL) -> None:
        self._lib = None  # type: Any
        try:
            lib = load(NVML_LIBRARY)
            if lib.nvmlInit_v2() == 0:
                self._lib = lib
        except (OSError, AttributeError):
            self._lib = None

    def _handle(self, index: int) -> Optional[Any]:
        if self._lib is None:
            return None
        handle = ctypes.c_void_p()
        code = self._lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.pointer(handle))
        return handle if code == 0 else None

    def name(self, index: int) -> Optional[str]:
        handle = self._handle(index)
        return _text(self._lib, "nvmlDeviceGetName", handle) if handle is not None else None

    def memory(self, index: int) -> Optional[Tuple[int, int]]:
        """(used, total) bytes of GPU ``index``."""
        handle = self._handle(index)
        if handle is None:
            return None
        memory = _Memory()
        if self._lib.nvmlDeviceGetMemoryInfo(handle, ctypes.pointer(memory)) != 0:
            return None
        return int(memory.used), int(memory.total)


def read_libcuda(load: Loader) -> Tuple[DriverReading, Optional[int]]:
    """Highest CUDA from ``cuDriverGetVersion`` and the code ``cuInit(0)`` returned."""
    reading = DriverReading(source="libcuda")
    try:
        lib = load(CUDA_LIBRARY)
    except OSError:
        reading.error = "%s not found" % CUDA_LIBRARY
        return reading, None
    init_code = int(lib.cuInit(0))
    if init_code == CUDA_ERROR_STUB_LIBRARY:
        reading.error = "cuInit returned 34 (CUDA_ERROR_STUB_LIBRARY): a stub libcuda was loaded"
        return reading, init_code
    version = ctypes.c_int()
    if lib.cuDriverGetVersion(ctypes.pointer(version)) == 0 and version.value > 0:
        reading.max_cuda = cuda_from_int(version.value)
    else:
        reading.error = "cuDriverGetVersion failed"
    return reading, init_code
