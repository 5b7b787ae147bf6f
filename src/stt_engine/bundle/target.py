"""The machine a bundle is built for: Python version, platform tag and flavour.

pip matches wheel tags literally, so a target of ``manylinux_2_28_x86_64`` must be spelled out
as every older glibc tag too (``manylinux_2_27`` ... ``manylinux_2_5`` and the legacy
``manylinux2014``/``manylinux2010``/``manylinux1`` aliases); otherwise wheels tagged only for an
older glibc (nvidia-cublas-cu12, for one) look incompatible.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Literal

from stt_engine.errors import BundleError

Flavour = Literal["cpu", "cuda12", "torch-cuda12"]
FLAVOURS: tuple[str, ...] = ("cpu", "cuda12", "torch-cuda12")

_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(\w+)$")
_LEGACY = {"manylinux2014": (2, 17), "manylinux2010": (2, 12), "manylinux1": (2, 5)}
_PYTHON = re.compile(r"^3\.(\d+)$")


@dataclass(frozen=True, slots=True)
class Target:
    python: str  # "3.11"
    platform: str  # "manylinux_2_28_x86_64"
    flavour: str  # "cpu", "cuda12" or "torch-cuda12"

    def __post_init__(self) -> None:
        if not _PYTHON.match(self.python):
            raise BundleError(f"--python must look like 3.11, not {self.python!r}")
        if self.flavour not in FLAVOURS:
            raise BundleError(f"unknown flavour {self.flavour!r}; choose {' or '.join(FLAVOURS)}")
        glibc_and_arch(self.platform)

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    def as_dict(self) -> dict[str, str]:
        return {"python": self.python, "platform": self.platform, "flavour": self.flavour}


def glibc_and_arch(platform: str) -> tuple[tuple[int, int], str]:
    """(glibc major, minor) and architecture of a manylinux platform tag."""
    match = _MANYLINUX.match(platform)
    if match:
        return (int(match.group(1)), int(match.group(2))), match.group(3)
    legacy, _, arch = platform.partition("_")
    if legacy in _LEGACY and arch:
        return _LEGACY[legacy], arch
    raise BundleError(
        f"unsupported platform tag {platform!r}",
        hint="use a manylinux tag such as manylinux_2_28_x86_64 (glibc 2.28, x86-64)",
    )


def platform_tags(platform: str) -> list[str]:
    """The tag itself and every older manylinux tag a machine with that glibc also accepts."""
    (major, minor), arch = glibc_and_arch(platform)
    tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    for legacy, (_, legacy_minor) in _LEGACY.items():
        if legacy_minor <= minor:
            tags.append(f"{legacy}_{arch}")
    return tags


def pip_target_args(target: Target) -> list[str]:
    """Arguments that make pip resolve for the target instead of this machine."""
    args = ["--only-binary=:all:", "--python-version", target.python]
    args += ["--implementation", "cp", "--abi", target.abi]
    for tag in platform_tags(target.platform):
        args += ["--platform", tag]
    return args


def host_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def host_problems(target: dict[str, str], wheel_names: list[str]) -> list[str]:
    """Why this machine cannot install the bundle's wheels; empty when it can."""
    from packaging.tags import sys_tags
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    if target.get("python") != host_python():
        return [
            f"target: the bundle is for Python {target.get('python')}, "
            f"this machine runs Python {host_python()}"
        ]
    problems: list[str] = []
    supported = set(sys_tags())
    if not any(tag.platform == target.get("platform") for tag in supported):
        problems.append(
            f"target: this machine does not accept the platform tag {target.get('platform')}"
            " (older glibc or another architecture)"
        )
    for name in wheel_names:
        try:
            tags = parse_wheel_filename(name.rpartition("/")[2])[3]
        except InvalidWheelFilename:
            problems.append(f"{name}: not a valid wheel file name")
            continue
        if not tags & supported:
            problems.append(f"{name}: no tag of this wheel fits this machine")
    return problems
