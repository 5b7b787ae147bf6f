"""Fakes for the doctor's probes: a command runner fed from fixture files and a machine root."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from stt_engine.doctor.probe import CommandResult, ProbeContext

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "doctor"
QUERY = "--query-gpu=index,name,memory.total,compute_cap"
QUERY_OLD = "--query-gpu=index,name,memory.total"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


class FakeRunner:
    """Answers commands from a table; unknown commands are 'not found', like a bare server."""

    def __init__(self, answers: dict[str, CommandResult] | None = None) -> None:
        self.answers = dict(answers or {})
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        self.calls.append(list(argv))
        key = " ".join(argv[:2]) if len(argv) > 1 else argv[0]
        for candidate in (key, os.path.basename(argv[0])):
            if candidate in self.answers:
                return self.answers[candidate]
        return CommandResult(returncode=127, error=f"{argv[0]}: not found")


def smi_answers(header: str, query: str | None = None) -> dict[str, CommandResult]:
    answers = {"nvidia-smi": CommandResult(0, fixture_text("nvidia-smi/" + header))}
    if query is not None:
        answers["nvidia-smi " + QUERY] = CommandResult(0, fixture_text("nvidia-smi/" + query))
    return answers


def no_library(name: str) -> Any:
    raise OSError(f"{name}: cannot open shared object file")


class Machine:
    """A fake machine under ``tmp_path``: files, an environment, commands and site-packages."""

    def __init__(self, root: Path) -> None:
        self.root = root / "root"
        self.root.mkdir()
        self.site = root / "site-packages"
        self.site.mkdir()
        self.env: dict[str, str] = {"PATH": "/usr/bin:/bin"}
        self.runner = FakeRunner()
        self.loader: Callable[[str], Any] | None = no_library

    def write(self, path: str, text: str = "") -> Path:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def dist(self, name: str, version: str, requires: Sequence[str] = ()) -> None:
        folder = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        folder.mkdir()
        lines = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version]
        lines += ["Requires-Dist: " + item for item in requires]
        (folder / "METADATA").write_text("\n".join(lines) + "\n\nLong description.\n")

    def pip_lib(self, subdir: str, file_name: str) -> Path:
        target = self.site / "nvidia" / subdir / "lib" / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")
        return target

    def context(self) -> ProbeContext:
        return ProbeContext(
            root=str(self.root),
            env=self.env,
            run=self.runner,
            site_dirs=[str(self.site)],
            load_library=self.loader,
            timeout=2.0,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


class FakeNvml:
    """Writes NVML answers through the ctypes pointers the probe hands in."""

    def __init__(self, version: str = "575.57.08", cuda: int = 12090, init_code: int = 0) -> None:
        self.version, self.cuda, self.init_code = version, cuda, init_code
        self.shut_down = False

    def nvmlInit_v2(self) -> int:
        return self.init_code

    def nvmlShutdown(self) -> int:
        self.shut_down = True
        return 0

    def nvmlSystemGetDriverVersion(self, buffer: Any, size: Any) -> int:
        buffer.value = self.version.encode()
        return 0

    def nvmlSystemGetCudaDriverVersion_v2(self, pointer: Any) -> int:
        pointer.contents.value = self.cuda
        return 0

    def nvmlDeviceGetCount_v2(self, pointer: Any) -> int:
        pointer.contents.value = 1
        return 0

    def nvmlDeviceGetHandleByIndex_v2(self, index: Any, pointer: Any) -> int:
        pointer.contents.value = 1234
        return 0

    def nvmlDeviceGetName(self, handle: Any, buffer: Any, size: Any) -> int:
        buffer.value = b"NVIDIA H100 80GB HBM3"
        return 0

    def nvmlDeviceGetMemoryInfo(self, handle: Any, pointer: Any) -> int:
        pointer.contents.total = 81559 * 1024 * 1024
        return 0

    def nvmlDeviceGetCudaComputeCapability(self, handle: Any, major: Any, minor: Any) -> int:
        major.contents.value, minor.contents.value = 9, 0
        return 0


class FakeLibcuda:
    def __init__(self, init_code: int = 0, version: int = 12090) -> None:
        self.init_code, self.version = init_code, version

    def cuInit(self, flags: int) -> int:
        return self.init_code

    def cuDriverGetVersion(self, pointer: Any) -> int:
        pointer.contents.value = self.version
        return 0 if self.version else 3


def loader_for(**libraries: Any) -> Callable[[str], Any]:
    """A loader serving fake libraries by soname, e.g. ``loader_for(nvml=FakeNvml())``."""
    names = {"nvml": "libnvidia-ml.so.1", "cuda": "libcuda.so.1"}
    table = {names[key]: value for key, value in libraries.items()}

    def load(name: str) -> Any:
        if name not in table:
            raise OSError(name)
        return table[name]

    return load
