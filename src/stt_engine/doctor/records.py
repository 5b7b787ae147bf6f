"""Plain records of what the doctor found. ``asdict`` turns them into JSON.

``dataclass``, ``field`` and ``asdict`` come from here for the whole doctor: the standard
library's on Python 3.7+, :mod:`.backport`'s on 3.6 (which has no ``dataclasses``).
"""

import sys
from typing import Dict, List, Optional

if sys.version_info >= (3, 7):
    from dataclasses import asdict, dataclass, field  # novm
else:  # Python 3.6, the system python3 of CentOS 7, RHEL 7 and Ubuntu 18.04
    from .backport import asdict, dataclass, field

__all__ = [
    "Check",
    "ContainerFacts",
    "DriverFacts",
    "DriverReading",
    "Facts",
    "GpuFacts",
    "LibraryFacts",
    "PackageFacts",
    "Requirement",
    "SystemFacts",
    "asdict",
    "dataclass",
    "field",
]


@dataclass
class SystemFacts:
    os: Optional[str] = None
    arch: Optional[str] = None
    glibc: Optional[str] = None
    python: Optional[str] = None
    python_executable: Optional[str] = None


@dataclass
class ContainerFacts:
    inside: bool = False
    engine: Optional[str] = None
    nvidia_visible_devices: Optional[str] = None
    nvidia_driver_capabilities: Optional[str] = None
    device_nodes: List[str] = field(default_factory=list)


@dataclass
class DriverReading:
    """One source's view of the driver (nvml, proc, libcuda, nvidia-smi, target)."""

    source: str
    version: Optional[str] = None
    max_cuda: Optional[str] = None
    error: Optional[str] = None


@dataclass
class GpuFacts:
    index: int
    name: Optional[str] = None
    memory_mib: Optional[int] = None
    compute_capability: Optional[str] = None


@dataclass
class DriverFacts:
    version: Optional[str] = None
    max_cuda: Optional[str] = None
    max_cuda_source: Optional[str] = None
    kernel_module: Optional[str] = None
    readings: List[DriverReading] = field(default_factory=list)
    gpus: List[GpuFacts] = field(default_factory=list)
    cuinit_code: Optional[int] = None


@dataclass
class LibraryFacts:
    """A CUDA user-space library file: name like "cublas", its soname major and origin."""

    name: str
    major: str
    version: Optional[str]
    path: str
    origin: str
    package: Optional[str] = None
    package_version: Optional[str] = None
    on_loader_path: bool = False


@dataclass
class PackageFacts:
    name: str
    version: str
    cuda: Optional[str] = None
    location: Optional[str] = None
    requires: List[str] = field(default_factory=list)
    detail: Dict[str, str] = field(default_factory=dict)


@dataclass
class Facts:
    target: bool = False
    system: SystemFacts = field(default_factory=SystemFacts)
    container: ContainerFacts = field(default_factory=ContainerFacts)
    driver: DriverFacts = field(default_factory=DriverFacts)
    libcuda: List[str] = field(default_factory=list)
    cuda_compat: Optional[str] = None  # driver version of a cuda-compat (forward) libcuda
    libraries: List[LibraryFacts] = field(default_factory=list)
    nvcc: Optional[str] = None
    nvcc_path: Optional[str] = None
    packages: List[PackageFacts] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


@dataclass
class Check:
    id: str
    status: str
    message: str
    fix: str = ""


@dataclass
class Requirement:
    spec: str
    status: str
    reason: str
    fix: str = ""
    carry: List[str] = field(default_factory=list)
