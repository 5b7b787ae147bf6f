"""The NVIDIA driver from text: ``/proc/driver/nvidia/version`` and nvidia-smi output."""

import re
from typing import List, Optional, Tuple

from .probe import ProbeContext
from .records import DriverReading, GpuFacts

PROC_VERSION = "/proc/driver/nvidia/version"
GPU_QUERY = "index,name,memory.total,compute_cap"

_SMI_DRIVER = re.compile(r"(?:Driver|KMD) Version:\s*(\d+(?:\.\d+)+)")
_SMI_CUDA = re.compile(r"CUDA (?:UMD )?Version:\s*(\d+\.\d+)")
_PROC_DRIVER = re.compile(r"Kernel Module(?: for \S+)?\s+(\d+(?:\.\d+)+)")


def parse_proc_version(text: str) -> Tuple[Optional[str], Optional[str]]:
    """Driver version and kernel module flavour ("open" or "proprietary") from the proc file."""
    for line in text.splitlines():
        if not line.startswith("NVRM version:"):
            continue
        match = _PROC_DRIVER.search(line)
        if match is None:
            return None, None
        flavour = "open" if "Open Kernel Module" in line else "proprietary"
        return match.group(1), flavour
    return None, None


def read_proc(ctx: ProbeContext) -> Tuple[DriverReading, Optional[str]]:
    reading = DriverReading(source="proc")
    text = ctx.read(PROC_VERSION)
    if text is None:
        reading.error = "%s missing (no NVIDIA kernel module loaded here)" % PROC_VERSION
        return reading, None
    version, flavour = parse_proc_version(text)
    if version is None:
        reading.error = "could not parse %s" % PROC_VERSION
    reading.version = version
    return reading, flavour


def parse_smi_header(text: str) -> Tuple[Optional[str], Optional[str]]:
    """Driver version and highest CUDA from nvidia-smi's header, old or R610+ spelling."""
    driver = _SMI_DRIVER.search(text)
    cuda = _SMI_CUDA.search(text)
    return (driver.group(1) if driver else None, cuda.group(1) if cuda else None)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no output"


def read_smi(ctx: ProbeContext) -> DriverReading:
    reading = DriverReading(source="nvidia-smi")
    result = ctx.run(["nvidia-smi"], ctx.timeout)
    if result.error is not None:
        reading.error = result.error
        return reading
    if result.returncode != 0:
        reading.error = "nvidia-smi failed: %s" % _first_line(result.stdout)
        return reading
    reading.version, reading.max_cuda = parse_smi_header(result.stdout)
    if reading.version is None and reading.max_cuda is None:
        reading.error = "could not parse nvidia-smi output: %s" % _first_line(result.stdout)
    return reading


def parse_gpu_query(text: str) -> List[GpuFacts]:
    """GPUs from ``--query-gpu=index,name,memory.total[,compute_cap] --format=csv,noheader``."""
    gpus = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split(",")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue
        gpu = GpuFacts(index=int(cells[0]), name=cells[1] or None)
        memory = re.match(r"\d+", cells[2])
        gpu.memory_mib = int(memory.group(0)) if memory else None
        if len(cells) > 3 and re.match(r"^\d+\.\d+$", cells[3]):
            gpu.compute_capability = cells[3]
        gpus.append(gpu)
    return gpus


def query_gpus(ctx: ProbeContext) -> List[GpuFacts]:
    """GPUs from nvidia-smi; drivers without the ``compute_cap`` field are asked again."""
    for fields in (GPU_QUERY, GPU_QUERY.rsplit(",", 1)[0]):
        argv = ["nvidia-smi", "--query-gpu=" + fields, "--format=csv,noheader,nounits"]
        result = ctx.run(argv, ctx.timeout)
        if result.error is not None:
            return []
        if result.returncode == 0:
            return parse_gpu_query(result.stdout)
    return []
