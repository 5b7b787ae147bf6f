"""The wheels the GPU machine lacks: which, fetched for its Python, and repacked for xz.

The GPU image's Python 3.12 has PyTorch, transformers, numpy and many more
(``device-packages.txt``) but not stt-engine's serving dependencies. ``missing_pins`` walks
stt-engine's runtime requirements as installed here (markers evaluated for CPython 3.12 on
x86-64 Linux, extras left out) and stops at every package the image already has, so a package
that only a present one needs is not carried. Versions are the ones this virtualenv runs.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

TARGET_ENV = {
    "python_version": "3.12",
    "python_full_version": "3.12.3",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "extra": "",
}
# pip matches manylinux_2_N exactly: name every N a wheel of ours may carry
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_24_x86_64",
             "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64")  # fmt: skip


def device_names(listing: Path) -> set[str]:
    lines = listing.read_text("utf-8").splitlines()
    return {canonicalize_name(line) for line in lines if line.strip() and line[0] != "#"}


def missing_pins(listing: Path, root: str = "stt-engine") -> dict[str, str]:
    """name -> version of every dependency of ``root`` the device lacks, sorted by name."""
    present = device_names(listing)
    pins: dict[str, str] = {}
    todo = list(_requirements(root))
    while todo:
        name = canonicalize_name(todo.pop())
        if name in present or name in pins:
            continue
        pins[name] = metadata.version(name)
        todo.extend(_requirements(name))
    return dict(sorted(pins.items()))


def _requirements(name: str) -> list[str]:
    wanted = []
    for line in metadata.requires(name) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(TARGET_ENV):
            wanted.append(requirement.name)
    return wanted


def download_wheels(pins: dict[str, str], folder: Path) -> list[Path]:
    """CPython 3.12 manylinux x86-64 wheels of ``pins`` in ``folder`` (fetched when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--python-version", "3.12", "--implementation", "cp",
               "--dest", str(folder)]  # fmt: skip
    for platform in PLATFORMS:
        command += ["--platform", platform]
    subprocess.run(command + [f"{n}=={v}" for n, v in pins.items()], check=True)
    return [_wheel_of(folder, name, version) for name, version in pins.items()]


def _wheel_of(folder: Path, name: str, version: str) -> Path:
    stem = name.replace("-", "_")
    found = [p for p in folder.glob("*.whl") if _is(p, stem, version)]
    if len(found) != 1:
        raise SystemExit(f"expected one wheel of {name}=={version} in {folder}, found {found}")
    return found[0]


def _is(wheel: Path, stem: str, version: str) -> bool:
    parts = wheel.name.split("-")
    return canonicalize_name(parts[0]) == canonicalize_name(stem) and parts[1] == version


def store_uncompressed(wheel: Path, target: Path) -> Path:
    """The same wheel with its members stored, not deflated: the same files and RECORD (whose
    hashes are of the contents), so pip installs it alike, and xz can compress it well."""
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            stored = zipfile.ZipInfo(info.filename, info.date_time)
            stored.external_attr = info.external_attr
            out.writestr(stored, source.read(info), zipfile.ZIP_STORED)
    return target


if __name__ == "__main__":  # proof.sh: the --platform flags of `pip install --target`
    print(" ".join(f"--platform {platform}" for platform in PLATFORMS))
