"""What every probe reads from: a filesystem root, an environment, a command runner, a loader.

Tests hand in a temporary root, a dict for the environment and a fake runner; the real doctor
uses ``/``, ``os.environ``, :func:`run_command` and :class:`ctypes.CDLL`.
"""

import ctypes
import glob
import os
import subprocess
import sys
import threading
from typing import Any, Callable, List, Mapping, Optional, Sequence, TypeVar

from .records import dataclass, field

T = TypeVar("T")


@dataclass(frozen=True)
class CommandResult:
    """Outcome of one command: its exit code and output, or why it could not run."""

    returncode: int = 0
    stdout: str = ""
    error: Optional[str] = None


Runner = Callable[[Sequence[str], float], CommandResult]
Loader = Callable[[str], Any]


def run_command(argv: Sequence[str], timeout: float) -> CommandResult:
    """Run ``argv`` with a timeout; never raises."""
    try:
        done = subprocess.run(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        return CommandResult(returncode=127, error="%s: not found" % argv[0])
    except subprocess.TimeoutExpired:
        return CommandResult(returncode=124, error="%s: timed out after %gs" % (argv[0], timeout))
    except OSError as exc:
        return CommandResult(returncode=126, error="%s: %s" % (argv[0], exc))
    return CommandResult(done.returncode, done.stdout.decode("utf-8", "replace"))


def with_timeout(work: Callable[[], T], timeout: float, on_timeout: T) -> T:
    """Run ``work`` in a daemon thread; give ``on_timeout`` if it has not finished in time."""
    box: List[T] = []
    failure: List[BaseException] = []

    def target() -> None:
        try:
            box.append(work())
        except BaseException as exc:  # handed back to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if failure:
        raise failure[0]
    return box[0] if box else on_timeout


def default_site_dirs() -> List[str]:
    """Package directories of the running interpreter.

    Besides site-packages, any sys.path entry holding installed distributions counts (a
    PYTHONPATH folder filled by ``pip install --target``, a bundle's vendored folder).
    """
    found = [entry for entry in sys.path if entry and _holds_packages(entry)]
    return list(dict.fromkeys(found))


def _holds_packages(entry: str) -> bool:
    if not os.path.isdir(entry):
        return False
    if entry.endswith(("site-packages", "dist-packages")):
        return True
    return bool(glob.glob(os.path.join(entry, "*.dist-info")))


@dataclass
class ProbeContext:
    """Inputs of all probes. ``load_library=None`` turns the ctypes probes off."""

    root: str = "/"
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    run: Runner = run_command
    site_dirs: Optional[List[str]] = None
    load_library: Optional[Loader] = ctypes.CDLL
    timeout: float = 5.0

    def path(self, *parts: str) -> str:
        """An absolute path of the probed system, placed under ``root``."""
        joined = os.path.join(*parts)
        return os.path.join(self.root, joined.lstrip("/"))

    def read(self, *parts: str) -> Optional[str]:
        """Text of a file under ``root``; ``None`` when it cannot be read."""
        try:
            with open(self.path(*parts), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    def sites(self) -> List[str]:
        return list(self.site_dirs) if self.site_dirs is not None else default_site_dirs()
