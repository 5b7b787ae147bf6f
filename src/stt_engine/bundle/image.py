"""Build the container image from an unpacked bundle with docker (or podman) and save it.

The build runs with ``--network=none``: everything comes from the bundle's wheels/. The saved
archive is ``docker save`` output, gzipped; ``docker load -i`` and ``podman load -i`` read it.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from stt_engine.bundle.manifest import Progress
from stt_engine.errors import BundleError

DEFAULT_BASE_IMAGE = "python:3.11-slim"
CONTAINERFILE = "deploy/Containerfile"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageSpec:
    context: Path  # the unpacked bundle
    tag: str  # stt-engine:<version>-<flavour>
    flavour: str
    base_image: str = DEFAULT_BASE_IMAGE


def image_tag(version: str, flavour: str) -> str:
    return f"stt-engine:{version}-{flavour}"


def image_archive_name(version: str, flavour: str) -> str:
    return f"stt-engine-{version}-{flavour}.image.tar.gz"


ENGINES = ("docker", "podman")


def find_engine(wanted: str = "auto") -> str:
    """The container engine to use: the one asked for, else docker when its daemon answers,
    else podman (which needs no daemon)."""
    if wanted != "auto":
        if shutil.which(wanted) is None:
            raise BundleError(f"--engine {wanted}: {wanted} is not installed")
        return wanted
    if shutil.which("docker") and _docker_daemon_answers():
        return "docker"
    if shutil.which("podman"):
        return "podman"
    raise BundleError(
        "--image needs docker (with a running daemon) or podman, and neither is usable",
        hint="install one, or build later on the server from the bundle's deploy/Containerfile",
    )


def _docker_daemon_answers() -> bool:
    try:
        probe = subprocess.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-12:])
        raise BundleError(f"{what} failed ({' '.join(command[:2])}):\n{tail}")


def build_command(engine: str, spec: ImageSpec) -> list[str]:
    command = [engine, "build", "--network=none", "-f", str(spec.context / CONTAINERFILE)]
    if engine == "podman":
        command.append("--format=docker")  # keeps HEALTHCHECK; what docker load expects
    command += ["--build-arg", f"BASE_IMAGE={spec.base_image}"]
    command += ["--build-arg", f"FLAVOUR={spec.flavour}", "-t", spec.tag, str(spec.context)]
    return command


def build_image(spec: ImageSpec, engine: str) -> str:
    _run(build_command(engine, spec), f"building the image {spec.tag}")
    return spec.tag


def save_image(engine: str, tag: str, target: Path, progress: Progress | None = None) -> Path:
    """``<engine> save`` the image, gzip it into target, remove the plain tar."""
    plain = target.with_name(target.name.removesuffix(".gz") + ".partial")
    plain.unlink(missing_ok=True)
    try:
        _run([engine, "save", "-o", str(plain), tag], f"saving the image {tag}")
        partial = target.with_name(target.name + ".partial")
        with plain.open("rb") as source, gzip.open(partial, "wb", compresslevel=3) as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
                if progress is not None:
                    progress(len(chunk))
        partial.replace(target)
    finally:
        plain.unlink(missing_ok=True)
    return target
