"""CUDA user-space libraries on disk: system directories, LD_LIBRARY_PATH, pip ``nvidia-*``."""

import glob
import os
import re
from typing import Dict, List, Optional, Tuple

from .packages import read_dist_infos
from .probe import ProbeContext
from .records import LibraryFacts

SYSTEM_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/cuda/lib64",
    "/usr/local/cuda/targets/x86_64-linux/lib",
)
_LIBRARY = re.compile(
    r"^lib(cudart|cublasLt|cublas|cudnn_ops_infer|cudnn_ops|cudnn)\.so\.(\d+)(?:\.(\d[\d.]*))?$"
)
_LIBCUDA = re.compile(r"^libcuda\.so(\.\d+)*$")
_COMPAT_LIBCUDA = re.compile(r"^libcuda\.so\.(\d+\.\d+(?:\.\d+)?)$")


def loader_dirs(ctx: ProbeContext) -> List[str]:
    """Directories the dynamic loader searches, in order: LD_LIBRARY_PATH, ld.so.cache, defaults."""
    dirs = [entry for entry in ctx.env.get("LD_LIBRARY_PATH", "").split(":") if entry]
    result = ctx.run(["ldconfig", "-p"], ctx.timeout)
    if result.error is None and result.returncode == 0:
        for line in result.stdout.splitlines():
            if "=>" in line:
                dirs.append(os.path.dirname(line.split("=>", 1)[1].strip()))
    dirs.extend(SYSTEM_DIRS)
    return list(dict.fromkeys(os.path.normpath(entry) for entry in dirs))


def _scan_dir(real_dir: str) -> Dict[Tuple[str, str], str]:
    """(name, major) -> longest matching file name in one directory."""
    found: Dict[Tuple[str, str], str] = {}
    try:
        names = os.listdir(real_dir)
    except OSError:
        return found
    for name in sorted(names):
        match = _LIBRARY.match(name)
        if match is None:
            continue
        key = (match.group(1), match.group(2))
        if len(name) > len(found.get(key, "")):
            found[key] = name
    return found


def _version_of(file_name: str) -> Optional[str]:
    """Full version from a file name: "libcublas.so.12.4.5.8" -> "12.4.5.8"."""
    match = _LIBRARY.match(file_name)
    if match is None or match.group(3) is None:
        return None
    return match.group(2) + "." + match.group(3)


def system_libraries(ctx: ProbeContext) -> List[LibraryFacts]:
    """CUDA libraries the loader can find without help."""
    libraries = []
    seen = set()
    for directory in loader_dirs(ctx):
        for (name, major), file_name in _scan_dir(ctx.path(directory)).items():
            path = os.path.join(directory, file_name)
            real = os.path.realpath(ctx.path(path))
            if real in seen:
                continue
            seen.add(real)
            libraries.append(
                LibraryFacts(
                    name, major, _version_of(file_name), path, "system", on_loader_path=True
                )
            )
    return libraries


def _package_for(subdir: str, dists: Dict[str, str]) -> Tuple[Optional[str], str]:
    """The pip distribution owning ``nvidia/<subdir>``, e.g. cublas -> nvidia-cublas-cu12."""
    base = "nvidia-" + subdir.replace("_", "-")
    for name in sorted(dists):
        if name == base or re.match(re.escape(base) + r"-cu\d+$", name):
            return name, dists[name]
    return None, ""


def pip_libraries(ctx: ProbeContext) -> List[LibraryFacts]:
    """CUDA libraries shipped in pip packages under ``<site>/nvidia/*/lib``."""
    libraries = []
    loader = set(loader_dirs(ctx)) if ctx.env.get("LD_LIBRARY_PATH") else set()
    for site in ctx.sites():
        dists = {info.name: info.version for info in read_dist_infos(site)}
        for lib_dir in sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib"))):
            subdir = os.path.basename(os.path.dirname(lib_dir))
            for (name, major), file_name in _scan_dir(lib_dir).items():
                package, version = _package_for(subdir, dists)
                facts = LibraryFacts(name, major, _version_of(file_name), "", "pip")
                facts.path = os.path.join(lib_dir, file_name)
                facts.package, facts.package_version = package, version or None
                facts.on_loader_path = os.path.normpath(lib_dir) in loader
                libraries.append(facts)
    return libraries


def libcuda_paths(ctx: ProbeContext) -> List[str]:
    """Every ``libcuda.so*`` in loader order; stubs live in directories named ``stubs``."""
    paths: List[str] = []
    for directory in loader_dirs(ctx):
        try:
            names = sorted(os.listdir(ctx.path(directory)))
        except OSError:
            continue
        paths.extend(os.path.join(directory, name) for name in names if _LIBCUDA.match(name))
    return paths


def cuda_compat_driver(ctx: ProbeContext) -> Optional[str]:
    """The newest driver version of a cuda-compat package (``/usr/local/cuda-*/compat``)."""
    found: List[Tuple[Tuple[int, ...], str]] = []
    for folder in sorted(glob.glob(ctx.path("/usr/local", "cuda*", "compat"))):
        for name in os.listdir(folder):
            match = _COMPAT_LIBCUDA.match(name)
            if match:
                version = match.group(1)
                found.append((tuple(int(part) for part in version.split(".")), version))
    return max(found)[1] if found else None


def is_stub(path: str) -> bool:
    return "stubs" in path.split(os.sep)


def find_nvcc(ctx: ProbeContext) -> Tuple[Optional[str], Optional[str]]:
    """Path and release of nvcc, if any (it is reported, never required)."""
    dirs = [entry for entry in ctx.env.get("PATH", "").split(":") if entry]
    dirs.append("/usr/local/cuda/bin")
    for directory in dirs:
        if not os.path.isfile(ctx.path(directory, "nvcc")):
            continue
        path = os.path.join(directory, "nvcc")
        result = ctx.run([ctx.path(directory, "nvcc"), "--version"], ctx.timeout)
        match = re.search(r"release (\d+\.\d+)", result.stdout)
        return path, match.group(1) if match else None
    return None, None
