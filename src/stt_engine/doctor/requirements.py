"""Judge packages, planned (``--require torch==2.1.2+cu124``) or installed."""

import re
from typing import List, Optional, Tuple

from .compat import Compat
from .records import LibraryFacts, Requirement, dataclass, field
from .verdicts import (
    FAIL,
    PASS,
    WARN,
    arch_verdict,
    best_variant,
    cuda_verdict,
    driver_fix,
    pip_torch,
    variant_to_cuda,
    worst,
)
from .versions import local_part, public_part

_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([0-9][A-Za-z0-9.+!_\-]*)\s*$")
SPEC_FORM = "NAME==VERSION, an exact pin, e.g. torch==2.5.1+cu124 or ctranslate2==4.4.0"


@dataclass
class Situation:
    """What the judges know: the table, the driver, GPUs and (locally) the libraries on disk."""

    compat: Compat
    driver: Optional[str]
    compute_capabilities: List[str] = field(default_factory=list)
    libraries: Optional[List[LibraryFacts]] = None
    forward: Optional[str] = None  # driver version of an installed cuda-compat package


def parse_spec(spec: str) -> Tuple[str, str]:
    """(normalised name, version) of "name==version"; ValueError names the expected form."""
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(
            "%r is not a requirement the doctor can judge; expected %s" % (spec, SPEC_FORM)
        )
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2)


def judge_spec(spec: str, situation: Situation) -> Requirement:
    try:
        name, version = parse_spec(spec)
    except ValueError:
        return Requirement(
            spec, FAIL, "write the requirement as name==version", "e.g. torch==2.5.1"
        )
    judge = JUDGES.get(name)
    if judge is None:
        return Requirement(spec, WARN, "the doctor has no compatibility facts about %s" % name)
    result = judge(version, situation)
    result.spec = spec
    return result


def _torch_missing_variant(version: str, variant: str, situation: Situation) -> Requirement:
    compat = situation.compat
    row = compat.torch_row(version) or {"variants": []}
    choices = []
    alternative = best_variant(compat, situation.driver, row["variants"], situation.forward)
    if alternative is not None:
        choices.append("torch %s+%s" % (public_part(version), alternative))
    first = compat.torch_first_with(variant)
    if first is not None:
        choices.append("torch %s.0+%s" % (first, variant))
    reason = "torch %s has no %s build (its CUDA builds are %s); closest real choices: %s" % (
        public_part(version),
        variant,
        ", ".join(row["variants"]),
        " or ".join(choices) or "none in the table",
    )
    fix = pip_torch(public_part(version), alternative) if alternative else ""
    return Requirement("", FAIL, reason, fix)


def judge_torch(version: str, situation: Situation) -> Requirement:
    compat = situation.compat
    row = compat.torch_row(version)
    if row is None:
        return Requirement("", WARN, "torch %s is not in the doctor's table" % version)
    variant = local_part(version)
    if variant == "cpu":
        return Requirement("", PASS, "torch %s is a CPU build: no driver needed" % version)
    if variant is None:
        if not row["pypi_cuda"]:
            reason = "the CUDA of the plain PyPI torch %s is not on file" % version
            return Requirement(
                "", WARN, reason, "pin a build, e.g. torch==%s+%s" % (version, row["variants"][-1])
            )
        variant = "cu" + row["pypi_cuda"].replace(".", "")
    if variant not in row["variants"]:
        return _torch_missing_variant(version, variant, situation)
    return _torch_on_driver(public_part(version), variant, situation)


def _torch_on_driver(version: str, variant: str, situation: Situation) -> Requirement:
    cuda = variant_to_cuda(variant) or "0.0"
    status, reason = cuda_verdict(situation.compat, situation.driver, cuda, situation.forward)
    reasons, statuses = [reason], [status]
    for cc in situation.compute_capabilities:
        arch_status, arch_reason = arch_verdict(situation.compat, version, variant, cc)
        if arch_status == WARN and status != PASS:
            arch_status = FAIL
            arch_reason += ", and PTX JIT needs the toolkit driver"
        statuses.append(arch_status)
        reasons.append(arch_reason)
    final = worst(statuses)
    fix = ""
    if final != PASS:
        row = situation.compat.torch_row(version) or {"variants": []}
        better = best_variant(
            situation.compat, situation.driver, row["variants"], situation.forward
        )
        fix = (
            pip_torch(version, better)
            if better and better != variant
            else driver_fix(situation.compat, cuda)
        )
    carry = [
        "torch==%s+%s wheel and its nvidia-* wheels from %s"
        % (version, variant, "https://download.pytorch.org/whl/" + variant)
    ]
    return Requirement("", final, "; ".join(reasons), fix, carry)


def _has_library(situation: Situation, name: str, major: str) -> Optional[LibraryFacts]:
    for library in situation.libraries or []:
        if library.name == name and library.major == major:
            return library
    return None


def _ct2_needs(row: dict) -> List[tuple]:
    needs = [("cublas", row["cublas"], "nvidia-cublas-cu%s" % row["cublas"])]
    if row["cudnn"] == 8:
        cu = "cu11" if row["cublas"] == "11" else "cu12"
        needs.append(("cudnn_ops_infer", "8", "nvidia-cudnn-%s==8.*" % cu))
    elif row["cudnn"] == 9:
        needs.append(("cudnn_ops", "9", "nvidia-cudnn-cu12==9.*"))
    return needs


def judge_ctranslate2(version: str, situation: Situation) -> Requirement:
    row, assumed = situation.compat.ctranslate2_row(version)
    if row is None:
        return Requirement("", WARN, "ctranslate2 %s is not in the doctor's table" % version)
    status, reason = cuda_verdict(situation.compat, situation.driver, row["cuda"])
    reasons = [
        "ctranslate2 %s is built with CUDA %s%s: %s"
        % (version, row["cuda"], " (assumed like %s)" % row["last"] if assumed else "", reason)
    ]
    statuses, fixes = (
        [status],
        [] if status == PASS else [driver_fix(situation.compat, row["cuda"])],
    )
    needs = _ct2_needs(row)
    if situation.libraries is not None:
        for name, major, package in needs:
            if _has_library(situation, name, major) is None:
                statuses.append(FAIL)
                reasons.append("lib%s.so.%s is not installed" % (name, major))
                fixes.append('pip install "%s"' % package)
    if row["cudnn"] is None:
        reasons.append("it needs no cuDNN")
    carry = [package for _, _, package in needs]
    return Requirement("", worst(statuses), "; ".join(reasons), "; ".join(fixes), carry)


def judge_onnxruntime_gpu(version: str, situation: Situation) -> Requirement:
    cuda = situation.compat.onnxruntime_cuda(version)
    status, reason = cuda_verdict(situation.compat, situation.driver, cuda, situation.forward)
    major = cuda.split(".")[0]
    text = "onnxruntime-gpu %s is built for CUDA %s.x: %s" % (version, major, reason)
    return Requirement(
        "", status, text, "" if status == PASS else driver_fix(situation.compat, cuda)
    )


def judge_cpu_only(version: str, situation: Situation) -> Requirement:
    return Requirement("", PASS, "a CPU package: it needs no driver")


JUDGES = {
    "torch": judge_torch,
    "ctranslate2": judge_ctranslate2,
    "onnxruntime-gpu": judge_onnxruntime_gpu,
    "onnxruntime": judge_cpu_only,
    "faster-whisper": judge_cpu_only,
}


def cudnn_major_of(name: str, version: str, compat: Compat) -> Optional[int]:
    """The cuDNN major a torch or ctranslate2 version links against, if any."""
    if name == "torch" and local_part(version) != "cpu":
        row = compat.torch_row(version)
        return int(row["cudnn"]) if row else None
    if name == "ctranslate2":
        ct2, _ = compat.ctranslate2_row(version)
        return ct2["cudnn"] if ct2 else None
    return None
