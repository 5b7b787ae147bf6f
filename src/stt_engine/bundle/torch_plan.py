"""The torch-cuda12 flavour: PyTorch CUDA 12 wheels from the package index, and the verdict.

The index serves one Linux build of each torch release, built for the CUDA its maintainers
chose (the wheel pins ``nvidia-cuda-runtime-cu12==12.x`` or ``-cu13``). This flavour looks for
the newest release whose index build is CUDA 12 (or the release ``--torch`` names), resolves
``stt-engine[torch]`` with it for the target, and records the doctor's verdict on the target
driver, so the manifest says before deployment whether the GPU will be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stt_engine.bundle import wheelhouse
from stt_engine.bundle.target import Target
from stt_engine.errors import BundleError

CUDA_MAJOR = "12"
SEARCHED_RELEASES = 4  # newest torch series tried when no version is pinned
_RUNTIME = re.compile(r"^nvidia-cuda-runtime-cu(\d+)\s*==\s*(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class TorchPlan:
    wheels: list[wheelhouse.Wheel]
    torch: wheelhouse.Wheel
    cuda: str  # "12.6"

    def record(self, driver: str | None) -> dict[str, Any]:
        """The manifest's ``torch`` entry: the build, its CUDA and the driver verdict."""
        return {
            "version": self.torch.version,
            "cuda": self.cuda,
            **driver_verdict(self.cuda, driver),
        }


def plan_torch(own_wheel: Path, target: Target, pinned: str | None = None) -> TorchPlan:
    """Resolve ``stt-engine[torch]`` with a CUDA 12 torch for the target."""
    problems: list[str] = []
    for spec in candidates(target.python, pinned):
        try:
            wheels = wheelhouse.resolve([f"{own_wheel}[torch]", spec], target)
        except BundleError as exc:
            problems.append(f"{spec}: {exc.message.splitlines()[-1]}")
            continue
        torch = next(w for w in wheels if w.name == "torch")
        cuda = wheel_cuda(torch)
        if cuda is not None and cuda.split(".")[0] == CUDA_MAJOR:
            return TorchPlan(wheels, torch, cuda)
        problems.append(f"{spec}: the index's torch {torch.version} is built for CUDA {cuda}")
    raise BundleError(
        "no torch build for CUDA 12 resolves for the target: " + "; ".join(problems),
        hint="pin a release whose index build is CUDA 12 with --torch VERSION (2.7.1: CUDA 12.6)",
    )


def candidates(python: str, pinned: str | None) -> list[str]:
    """Requirement specs to try, newest torch series first (from the doctor's table)."""
    if pinned:
        return [f"torch=={pinned}"]
    from stt_engine.doctor.compat import Compat

    rows = [row for row in Compat().data["torch"] if _has_cuda12(row) and _runs_on(row, python)]
    rows.sort(key=lambda row: tuple(int(p) for p in str(row["series"]).split(".")), reverse=True)
    return [f"torch=={row['series']}.*" for row in rows[:SEARCHED_RELEASES]]


def _has_cuda12(row: dict[str, Any]) -> bool:
    """A series with CUDA 12 builds whose index build is not known to be another CUDA."""
    index_cuda = row.get("pypi_cuda")
    if index_cuda and not str(index_cuda).startswith(CUDA_MAJOR + "."):
        return False
    return any(str(v).startswith("cu" + CUDA_MAJOR) for v in row["variants"])


def _runs_on(row: dict[str, Any], python: str) -> bool:
    low, high = (tuple(int(p) for p in str(v).split(".")) for v in row["python"])
    return low <= tuple(int(p) for p in python.split(".")) <= high


def wheel_cuda(wheel: wheelhouse.Wheel) -> str | None:
    """The CUDA a torch wheel is built for: its local label, or its CUDA runtime pin."""
    label = wheel.version.partition("+")[2]
    if label.startswith("cu") and len(label) >= 4:
        return f"{label[2:-1]}.{label[-1]}"
    for requirement in wheel.requires:
        match = _RUNTIME.match(requirement)
        if match:
            return f"{match.group(2)}.{match.group(3)}"
    return None


def driver_verdict(cuda: str, driver: str | None) -> dict[str, Any]:
    """The doctor's verdict on running CUDA ``cuda`` code on ``driver`` (None: not given)."""
    from stt_engine.doctor.compat import Compat
    from stt_engine.doctor.verdicts import cuda_verdict

    compat = Compat()
    if driver is None:
        toolkit = compat.toolkit_driver(cuda) or "?"
        floor = compat.mvc_floor(int(cuda.split(".")[0])) or "?"
        reason = (
            f"no --target-driver given: CUDA {cuda} needs driver >= {toolkit}, or >= {floor} "
            "under minor version compatibility"
        )
        return {"driver": None, "status": "unknown", "reason": reason}
    status, reason = cuda_verdict(compat, driver, cuda)
    return {"driver": driver, "status": status, "reason": reason}
