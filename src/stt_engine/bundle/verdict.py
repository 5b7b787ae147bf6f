"""Can the target's NVIDIA driver run a bundle? One judge for every (flavour, driver) pair.

The doctor's rules decide (:func:`stt_engine.doctor.verdicts.cuda_verdict`: NVIDIA's toolkit
drivers and the minor version compatibility floors of ``compat.json``); this module only says
which CUDA each flavour's GPU code is built for. Before the wheels are resolved that is the
flavour's CUDA major (a driver below its floor runs no release of it, so the build stops before
resolving or downloading anything); once they are, it is the CUDA of the resolved CTranslate2
and, for torch-cuda12, of the torch build. The cpu flavour needs no driver at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from stt_engine.errors import BundleError

if TYPE_CHECKING:
    from stt_engine.doctor.compat import Compat

PASS, WARN, FAIL, UNKNOWN = "pass", "warn", "fail", "unknown"
# The CUDA major each GPU flavour is built for; the cpu flavour has none.
FLAVOUR_CUDA_MAJOR = {"cuda12": 12, "torch-cuda12": 12}


@dataclass(frozen=True, slots=True)
class TargetVerdict:
    """The verdict on one flavour for one driver, as printed and kept in the manifest."""

    flavour: str
    driver: str | None  # the server's driver as given with --target-driver
    max_cuda: str | None  # the highest CUDA that driver runs (None: no driver given)
    # what runs on the GPU -> the CUDA it is built for; before resolving, {"": "12.x"}
    needs: dict[str, str] = field(default_factory=dict)
    status: str = PASS  # pass, warn, fail; unknown when no driver was given for a GPU flavour
    reason: str = ""
    fix: str = ""
    forced: bool = False  # built with --force although the verdict is fail

    def record(self) -> dict[str, Any]:
        return {
            "flavour": self.flavour,
            "driver": self.driver,
            "max_cuda": self.max_cuda,
            "needs": dict(self.needs),
            "status": self.status,
            "reason": self.reason,
            "fix": self.fix,
            "forced": self.forced,
        }

    def line(self) -> str:
        """One line for the terminal: ``target: driver X (CUDA <= Y), cuda12: warn: ...``."""
        if self.driver is None:
            return f"target: {self.flavour}: {self.status}: {self.reason}"
        return (
            f"target: driver {self.driver} (CUDA <= {self.max_cuda or '?'}), {self.flavour}: "
            f"{self.status}{' (forced)' if self.forced else ''}: {self.reason}"
        )


def judge_target(
    flavour: str, driver: str | None, built_for: dict[str, str] | None = None
) -> TargetVerdict:
    """The verdict on ``flavour`` for ``driver``.

    ``built_for`` maps what runs on the GPU ("ctranslate2 4.6.3") to the CUDA it is built for
    ("12.8"); empty or ``None`` (not resolved yet) judges the flavour's CUDA major as a whole,
    by its first release: only a driver below the major's floor fails it.
    """
    from stt_engine.doctor.compat import Compat

    compat = Compat()
    max_cuda = compat.max_cuda_for(driver) if driver else None
    major = FLAVOUR_CUDA_MAJOR.get(flavour)
    base = TargetVerdict(flavour, driver, max_cuda)
    if major is None:
        return replace(base, reason=_cpu_reason(compat, driver, max_cuda))
    needs = built_for or {"": f"{major}.x"}
    base = replace(base, needs=dict(needs))
    if driver is None:
        return replace(base, status=UNKNOWN, reason=_no_driver(compat, needs))
    return _judge_gpu(compat, base, driver, needs)


def _judge_gpu(
    compat: Compat, base: TargetVerdict, driver: str, needs: dict[str, str]
) -> TargetVerdict:
    from stt_engine.doctor.verdicts import cuda_verdict, worst

    by_cuda: dict[str, list[str]] = {}
    for what, cuda in needs.items():
        by_cuda.setdefault(cuda, []).append(what)
    judged = {cuda: cuda_verdict(compat, driver, _release(cuda)) for cuda in by_cuda}
    for cuda, (cuda_status, _reason) in judged.items():
        if cuda.endswith(".x") and cuda_status == FAIL:  # below the floor of every release
            judged[cuda] = cuda_verdict(compat, driver, cuda)
    status = worst([verdict[0] for verdict in judged.values()])
    reasons = [
        _built_for(by_cuda[cuda], cuda) + reason
        for cuda, (cuda_status, reason) in judged.items()
        if cuda_status == status
    ]
    newest = max(by_cuda, key=_version)
    return replace(base, status=status, reason="; ".join(reasons), fix=_fix(compat, status, newest))


def _built_for(what: list[str], cuda: str) -> str:
    named = [name for name in what if name]
    if not named:
        return ""
    return f"{' and '.join(named)} {'is' if len(named) == 1 else 'are'} built for CUDA {cuda}: "


def _fix(compat: Compat, status: str, cuda: str) -> str:
    from stt_engine.doctor.verdicts import branch

    if status == PASS:
        return ""
    toolkit = compat.toolkit_driver(_release(cuda))
    floor = compat.mvc_floor(_version(cuda)[0]) or "?"
    if status == WARN:
        if toolkit is None:
            return ""
        return f"a driver >= {toolkit} ({branch(toolkit)}+) runs CUDA {cuda} with PTX JIT too"
    fix = f"upgrade the NVIDIA driver to >= {floor} ({branch(floor)}+; minor version compatibility"
    if toolkit and toolkit != floor:
        fix += f", >= {toolkit} for full CUDA {cuda} support"
    return f"{fix}), or build --flavour cpu to run on the CPU; --force builds it anyway"


def _cpu_reason(compat: Compat, driver: str | None, max_cuda: str | None) -> str:
    text = "the cpu flavour runs on the CPU and needs no NVIDIA driver"
    if driver is None:
        return text
    floor = compat.mvc_floor(FLAVOUR_CUDA_MAJOR["cuda12"])
    from stt_engine.doctor.versions import at_least

    if floor and not at_least(driver, floor):
        use = f"cuda12 would need driver >= {floor}"
    else:
        use = "build --flavour cuda12 to use it"
    return f"{text}; the GPU (driver {driver}, CUDA <= {max_cuda or '?'}) goes unused ({use})"


def _no_driver(compat: Compat, needs: dict[str, str]) -> str:
    cuda = max(needs.values(), key=_version)
    toolkit = compat.toolkit_driver(_release(cuda)) or "?"
    floor = compat.mvc_floor(_version(cuda)[0]) or "?"
    least = f">= {toolkit}" if toolkit == floor else f">= {toolkit}, or >= {floor} under minor"
    least += "" if toolkit == floor else " version compatibility"
    return (
        f"no --target-driver given: CUDA {cuda} needs driver {least}; run `python3 doctor.pyz` "
        "on the server"
    )


def _release(cuda: str) -> str:
    """A CUDA release to judge: "12.x" (any minor) is judged as its first, "12.0"."""
    return cuda.replace(".x", ".0")


def _version(cuda: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _release(cuda).split("."))


def refuse_unless_forced(verdict: TargetVerdict, force: bool) -> TargetVerdict:
    """The verdict to record; BundleError when the target cannot run the bundle and no --force."""
    if verdict.status != FAIL:
        return verdict
    if force:
        return replace(verdict, forced=True)
    needs = ", ".join(
        f"CUDA {cuda}{f' ({what})' if what else ''}" for what, cuda in verdict.needs.items()
    )
    raise BundleError(
        f"refusing to build: the target driver {verdict.driver} runs CUDA up to "
        f"{verdict.max_cuda or 'an unknown release'}, and the {verdict.flavour} flavour needs "
        f"{needs}: {verdict.reason}",
        hint=verdict.fix,
    )


def gpu_builds(flavour: str, versions: dict[str, str], torch_cuda: str | None) -> dict[str, str]:
    """What of a resolved wheel set runs on the GPU ("ctranslate2 4.6.3") -> its CUDA ("12.8").

    CTranslate2's CUDA comes from the doctor's table; torch's (torch-cuda12) from its wheel.
    Empty for the cpu flavour; a CTranslate2 older than the table is left to the flavour's major.
    """
    if flavour not in FLAVOUR_CUDA_MAJOR:
        return {}
    from stt_engine.doctor.compat import Compat

    builds: dict[str, str] = {}
    if flavour == "torch-cuda12" and torch_cuda and "torch" in versions:
        builds[f"torch {versions['torch']}"] = torch_cuda
    ct2 = versions.get("ctranslate2")
    row = Compat().ctranslate2_row(ct2)[0] if ct2 else None
    if ct2 and row is not None:
        builds[f"ctranslate2 {ct2}"] = str(row["cuda"])
    return builds
