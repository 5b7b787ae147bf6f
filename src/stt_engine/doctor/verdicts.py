"""Can a driver run code built with a CUDA release? Can a GPU run a build?"""

from typing import List, Optional, Tuple

from .compat import Compat
from .versions import at_least, cuda_variant, parse

PASS, WARN, FAIL = "pass", "warn", "fail"
Verdict = Tuple[str, str]
INDEX_URL = "https://download.pytorch.org/whl/"


def branch(driver: str) -> str:
    return "R" + driver.split(".")[0]


def worst(statuses: List[str]) -> str:
    for status in (FAIL, WARN):
        if status in statuses:
            return status
    return PASS


def cuda_verdict(
    compat: Compat, driver: Optional[str], cuda: str, forward: Optional[str] = None
) -> Verdict:
    """Judge CUDA ``cuda`` on ``driver``; NVIDIA's toolkit drivers and MVC floors decide.

    ``forward`` is the driver version of an installed cuda-compat package (forward
    compatibility): it lifts a driver below the floor, on data-center GPUs only.
    """
    if not driver:
        return FAIL, "no NVIDIA driver was found, so no CUDA %s code can run" % cuda
    major = (parse(cuda) or (0,))[0]
    floor = compat.mvc_floor(major)
    toolkit = compat.toolkit_driver(cuda)
    if floor is None:
        return FAIL, "CUDA %s is not in the doctor's table" % cuda
    if toolkit is not None and at_least(driver, toolkit):
        return PASS, "driver %s >= %s, the CUDA %s toolkit driver" % (driver, toolkit, cuda)
    if at_least(driver, floor):
        return WARN, (
            "driver %s is below CUDA %s's toolkit driver %s; it runs under minor version "
            "compatibility (>= %s), without PTX JIT and the newest features"
            % (driver, cuda, toolkit or "?", floor)
        )
    return _below_floor(driver, cuda, floor, toolkit or floor, forward)


def _below_floor(
    driver: str, cuda: str, floor: str, toolkit: str, forward: Optional[str]
) -> Verdict:
    major = cuda.split(".")[0]
    if forward and at_least(forward, toolkit):
        return WARN, (
            "driver %s is below %s, the least any CUDA %s.x needs, but the cuda-compat package "
            "(driver libraries %s) runs CUDA %s through forward compatibility: data-center GPUs "
            "only (error 804 on others)" % (driver, floor, major, forward, cuda)
        )
    return FAIL, (
        "driver %s is below %s, the least any CUDA %s.x needs (%s+); on a data-center GPU the "
        "cuda-compat-%s package (forward compatibility, from driver %s+) runs it without "
        "changing the kernel driver"
        % (driver, floor, major, branch(floor), cuda.replace(".", "-"), toolkit)
    )


def driver_fix(compat: Compat, cuda: str) -> str:
    toolkit = compat.toolkit_driver(cuda) or compat.mvc_floor((parse(cuda) or (0,))[0]) or "?"
    return "install NVIDIA driver >= %s (%s+) for CUDA %s" % (toolkit, branch(toolkit), cuda)


def best_variant(
    compat: Compat, driver: Optional[str], variants: List[str], forward: Optional[str] = None
) -> Optional[str]:
    """The newest variant that passes on ``driver``, else the newest that warns."""
    for wanted in (PASS, WARN):
        for variant in reversed(variants):
            cuda = variant_to_cuda(variant)
            if cuda and cuda_verdict(compat, driver, cuda, forward)[0] == wanted:
                return variant
    return None


def variant_to_cuda(variant: str) -> Optional[str]:
    digits = variant[2:]
    if not variant.startswith("cu") or not digits.isdigit() or len(digits) < 3:
        return None
    return "%s.%s" % (digits[:-1], digits[-1])


def wheel_matrix(
    compat: Compat, driver: Optional[str], forward: Optional[str] = None
) -> List[Tuple[str, str, str]]:
    """(variant, status, reason) for every wheel variant in the table."""
    rows = []
    for variant in compat.wheel_variants:
        cuda = variant_to_cuda(variant) or "0.0"
        status, reason = cuda_verdict(compat, driver, cuda, forward)
        rows.append((variant, status, reason))
    return rows


def gpu_verdict(compat: Compat, cc: str, max_cuda: Optional[str]) -> Verdict:
    """Whether a GPU's architecture is reachable with the CUDA the driver supports."""
    row = compat.gpu_arch(cc)
    sm = "sm_" + cc.replace(".", "")
    if row is None or not row.get("min_cuda"):
        return PASS, "%s needs no CUDA newer than the table's oldest entry" % sm
    if max_cuda and not at_least(max_cuda, row["min_cuda"]):
        return FAIL, "%s (%s) needs CUDA >= %s, but the driver supports CUDA <= %s" % (
            sm,
            row["name"],
            row["min_cuda"],
            max_cuda,
        )
    return PASS, "%s (%s) needs CUDA >= %s" % (sm, row["name"], row["min_cuda"])


def arch_verdict(compat: Compat, torch_version: str, variant: str, cc: str) -> Verdict:
    """Whether a torch build ships kernels (SASS, or PTX to JIT) for compute capability ``cc``."""
    sm = "sm_" + cc.replace(".", "")
    row = compat.torch_archs(torch_version, variant)
    cuda = variant_to_cuda(variant) or "0.0"
    if row is None:
        arch = compat.gpu_arch(cc)
        if arch and arch.get("min_cuda") and not at_least(cuda, arch["min_cuda"]):
            return FAIL, "%s needs CUDA >= %s; %s is CUDA %s" % (
                sm,
                arch["min_cuda"],
                variant,
                cuda,
            )
        if arch and arch.get("cuda_before") and at_least(cuda, arch["cuda_before"]):
            return FAIL, "CUDA %s builds dropped %s (%s)" % (cuda, sm, arch["name"])
        return PASS, "no arch list on file for torch %s+%s; %s assumed" % (
            torch_version,
            variant,
            sm,
        )
    if cc in row["archs"]:
        return PASS, "torch %s+%s ships %s kernels" % (torch_version, variant, sm)
    if row.get("ptx") and at_least(cc, row["ptx"]):
        return WARN, "torch %s+%s reaches %s only through PTX JIT (from sm_%s)" % (
            torch_version,
            variant,
            sm,
            row["ptx"].replace(".", ""),
        )
    return FAIL, "torch %s+%s has no kernels for %s (built for %s)" % (
        torch_version,
        variant,
        sm,
        ", ".join(row["archs"]),
    )


def pip_torch(version: str, variant: str) -> str:
    return "pip install torch==%s --index-url %s%s" % (version, INDEX_URL, variant)


def variant_for(cuda: Optional[str]) -> Optional[str]:
    return cuda_variant(cuda) if cuda else None
