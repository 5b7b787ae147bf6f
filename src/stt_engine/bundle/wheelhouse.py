"""The wheelhouse: stt-engine's own wheel and every dependency, for the target machine.

pip resolves for the target (``pip install --dry-run --report`` with the target's Python,
ABI and platform tags, binary wheels only); the files are then downloaded here, checked
against the sha256 the index published, and kept in a cache folder so a rebuild downloads
nothing it already has.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stt_engine.bundle.manifest import hash_file
from stt_engine.bundle.progress import ProgressFactory
from stt_engine.bundle.target import Target, pip_target_args
from stt_engine.errors import BundleError

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Wheel:
    name: str  # canonical distribution name
    version: str
    url: str
    sha256: str | None
    requires: tuple[str, ...] = ()  # Requires-Dist, as the resolver's report gives it

    @property
    def filename(self) -> str:
        return urllib.parse.unquote(self.url.rsplit("/", 1)[-1].split("#", 1)[0])

    @property
    def local_path(self) -> Path | None:
        """The file itself when the index or find-links points at this machine's disk."""
        parsed = urllib.parse.urlparse(self.url)
        return Path(urllib.parse.unquote(parsed.path)) if parsed.scheme == "file" else None


OLDEST_PIP = (22, 2)  # --dry-run and --report


def _pip(
    args: list[str], what: str, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    command = [python, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(line for line in result.stderr.splitlines()[-8:] if line.strip())
        raise BundleError(f"{what} failed: {tail or result.stdout[-800:]}")
    return result


def build_project_wheel(project: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of the project folder; returns the wheel."""
    if not (project / "pyproject.toml").is_file():
        raise BundleError(
            f"{project} has no pyproject.toml",
            hint="run from the stt-engine checkout or pass --project DIR",
        )
    out.mkdir(parents=True, exist_ok=True)
    _pip(["wheel", "--no-deps", "--quiet", "-w", str(out), str(project)], "building the wheel")
    wheels = sorted(out.glob("stt_engine-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise BundleError(f"pip wheel left no stt_engine wheel in {out}")
    return wheels[-1]


def resolve(requirements: list[str], target: Target, python: str = sys.executable) -> list[Wheel]:
    """Every wheel the requirements need on the target, as pip's resolver picks them.

    ``--target`` (a folder nothing is written to, since it is a dry run) is what pips before
    23.3 demand beside ``--platform``; newer pips accept it too.
    """
    check_pip(python)
    with tempfile.TemporaryDirectory(prefix="stt-bundle-") as tmp:
        report = Path(tmp) / "report.json"
        args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report)]
        args += ["--target", str(Path(tmp) / "unused")]
        what = f"resolving for {target.platform}"
        _pip([*args, *pip_target_args(target), *requirements], what, python)
        data = json.loads(report.read_text(encoding="utf-8"))
    return [_wheel_from_report(item) for item in data["install"]]


def check_pip(python: str = sys.executable) -> None:
    """BundleError unless the build machine's pip can resolve for another machine."""
    found = _pip(["--version"], "asking pip for its version", python).stdout.split()
    version = tuple(int(p) for p in found[1].split(".")[:2] if p.isdigit()) if found else ()
    if version < OLDEST_PIP:
        raise BundleError(
            f"bundle build needs pip >= {'.'.join(map(str, OLDEST_PIP))} "
            f"(found {found[1] if found else 'none'})",
            hint=f"{python} -m pip install --upgrade pip",
        )


def _wheel_from_report(item: dict[str, object]) -> Wheel:
    metadata = item["metadata"]
    info = item["download_info"]
    assert isinstance(metadata, dict) and isinstance(info, dict)
    hashes = info.get("archive_info", {}).get("hashes", {})
    name = str(metadata["name"]).lower().replace("_", "-").replace(".", "-")
    requires = tuple(str(r) for r in metadata.get("requires_dist") or ())
    return Wheel(name, str(metadata["version"]), str(info["url"]), hashes.get("sha256"), requires)


def fetch(wheel: Wheel, cache_dir: Path, progress: ProgressFactory) -> Path:
    """The wheel's file: local files as they are, downloads from the cache or the index."""
    local = wheel.local_path
    if local is not None:
        return local
    cached = cache_dir / wheel.filename
    if cached.is_file() and (wheel.sha256 is None or hash_file(cached).sha256 == wheel.sha256):
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(cached.name + ".partial")
    try:
        with urllib.request.urlopen(wheel.url, timeout=60) as response, partial.open("wb") as out:
            length = response.headers.get("Content-Length")
            with progress(wheel.filename, int(length) if length else None) as advance:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    advance(len(chunk))
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BundleError(f"downloading {wheel.filename} failed: {exc}") from exc
    if wheel.sha256 is not None and hash_file(partial).sha256 != wheel.sha256:
        partial.unlink()
        raise BundleError(f"{wheel.filename}: the download does not match the index's sha256")
    partial.replace(cached)
    return cached


def download_size(wheel: Wheel) -> int | None:
    """Bytes the wheel would take, from the local file or the index's Content-Length."""
    local = wheel.local_path
    if local is not None:
        return local.stat().st_size if local.is_file() else None
    request = urllib.request.Request(wheel.url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            length = response.headers.get("Content-Length")
    except OSError:
        return None
    return int(length) if length else None


def place(source: Path, folder: Path) -> Path:
    """Hard-link (or copy) a file into the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


def cuda_requirements(ct2_version: str) -> list[str]:
    """The CUDA user-space wheels a CTranslate2 release loads (from the doctor's table)."""
    from stt_engine.doctor.compat import Compat

    row, _assumed = Compat().ctranslate2_row(ct2_version)
    if row is None or str(row["cublas"]) != "12":
        raise BundleError(
            f"ctranslate2 {ct2_version} is not a CUDA 12 build; the cuda12 flavour needs 4.x"
        )
    needs = [f"nvidia-cublas-cu12>={row['cuda']},<13"]
    if row["cudnn"] == 9:
        needs.append("nvidia-cudnn-cu12>=9.1,<10")
    elif row["cudnn"] == 8:
        needs.append("nvidia-cudnn-cu12>=8.9,<9")
    return needs
