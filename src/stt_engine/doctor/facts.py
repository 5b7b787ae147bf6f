"""Gather the facts: system, container, driver, GPUs, CUDA libraries, nvcc, packages.

Each probe runs with a timeout and turns every failure into a recorded error, so gathering
never raises. All inputs come from a :class:`ProbeContext`.
"""

import glob
import os
import platform
import sys
from typing import Callable, List, Optional, Tuple

from . import driver as text_probes
from . import libraries, nvml, packages
from .probe import ProbeContext, with_timeout
from .records import (
    ContainerFacts,
    DriverFacts,
    DriverReading,
    Facts,
    GpuFacts,
    SystemFacts,
)

_CGROUP_MARKS = (("kubepods", "kubernetes"), ("libpod", "podman"), ("docker", "docker"))


def system_facts(ctx: ProbeContext) -> SystemFacts:
    facts = SystemFacts(arch=platform.machine() or None, python=platform.python_version())
    facts.python_executable = sys.executable
    text = ctx.read("/etc/os-release") or ""
    for line in text.splitlines():
        if line.startswith("PRETTY_NAME="):
            facts.os = line.split("=", 1)[1].strip().strip('"')
    if facts.os is None:
        facts.os = "%s %s" % (platform.system(), platform.release())
    name, version = platform.libc_ver()
    facts.glibc = version if name == "glibc" and version else None
    return facts


def container_facts(ctx: ProbeContext) -> ContainerFacts:
    facts = ContainerFacts()
    facts.nvidia_visible_devices = ctx.env.get("NVIDIA_VISIBLE_DEVICES")
    facts.nvidia_driver_capabilities = ctx.env.get("NVIDIA_DRIVER_CAPABILITIES")
    nodes = glob.glob(ctx.path("/dev", "nvidia*"))
    facts.device_nodes = sorted("/dev/" + os.path.basename(node) for node in nodes)
    if os.path.exists(ctx.path("/run/.containerenv")):
        facts.engine = "podman"
    elif os.path.exists(ctx.path("/.dockerenv")):
        facts.engine = "docker"
    else:
        cgroup = ctx.read("/proc/1/cgroup") or ""
        for mark, engine in _CGROUP_MARKS:
            if mark in cgroup:
                facts.engine = engine
                break
    if facts.engine is None and ctx.env.get("container"):
        facts.engine = ctx.env.get("container")
    facts.inside = facts.engine is not None
    return facts


def _ctypes_probes(ctx: ProbeContext) -> Tuple[List[DriverReading], List[GpuFacts], Optional[int]]:
    load = ctx.load_library
    if load is None:
        return [], [], None
    nvml_reading, gpus = nvml.read_nvml(load)
    cuda_reading, init_code = nvml.read_libcuda(load)
    return [nvml_reading, cuda_reading], gpus, init_code


def _guarded(name: str, work: Callable[[], DriverFacts], ctx: ProbeContext) -> DriverFacts:
    lost = DriverFacts(readings=[DriverReading(source=name, error="timed out")])
    try:
        return with_timeout(work, ctx.timeout, lost)
    except Exception as exc:  # a probe must never break the report
        return DriverFacts(readings=[DriverReading(source=name, error=repr(exc))])


def _ctypes_driver(ctx: ProbeContext) -> DriverFacts:
    readings, gpus, init_code = _ctypes_probes(ctx)
    return DriverFacts(readings=readings, gpus=gpus, cuinit_code=init_code)


def driver_facts(ctx: ProbeContext) -> DriverFacts:
    """All readings of the driver, merged: NVML, then proc, then libcuda, then nvidia-smi."""
    facts = _guarded("ctypes", lambda: _ctypes_driver(ctx), ctx)
    proc_reading, facts.kernel_module = text_probes.read_proc(ctx)
    smi_reading = text_probes.read_smi(ctx)
    readings = {reading.source: reading for reading in facts.readings}
    readings["proc"], readings["nvidia-smi"] = proc_reading, smi_reading
    order = ["nvml", "ctypes", "proc", "libcuda", "nvidia-smi"]
    facts.readings = [readings[name] for name in order if name in readings]
    for reading in facts.readings:
        if facts.version is None and reading.version:
            facts.version = reading.version
        if facts.max_cuda is None and reading.max_cuda:
            facts.max_cuda, facts.max_cuda_source = reading.max_cuda, reading.source
    if not facts.gpus and smi_reading.error is None:
        facts.gpus = text_probes.query_gpus(ctx)
    return facts


def target_facts(driver_version: str, compute_capability: Optional[str] = None) -> Facts:
    """Facts of a server you are not on: only its driver (and GPU, when given) are known."""
    facts = Facts(target=True, system=SystemFacts())
    facts.driver = DriverFacts(
        version=driver_version, readings=[DriverReading(source="target", version=driver_version)]
    )
    if compute_capability:
        facts.driver.gpus = [
            GpuFacts(index=0, name="target", compute_capability=compute_capability)
        ]
    return facts


def gather_facts(ctx: Optional[ProbeContext] = None) -> Facts:
    """Everything the doctor can learn about this machine, without importing any ML package."""
    ctx = ctx or ProbeContext()
    facts = Facts(system=system_facts(ctx), container=container_facts(ctx))
    facts.driver = driver_facts(ctx)
    facts.libcuda = libraries.libcuda_paths(ctx)
    facts.cuda_compat = libraries.cuda_compat_driver(ctx)
    facts.libraries = libraries.system_libraries(ctx) + libraries.pip_libraries(ctx)
    facts.nvcc_path, facts.nvcc = libraries.find_nvcc(ctx)
    facts.packages = packages.installed_packages(ctx)
    facts.errors = [
        "%s: %s" % (reading.source, reading.error)
        for reading in facts.driver.readings
        if reading.error
    ]
    return facts
