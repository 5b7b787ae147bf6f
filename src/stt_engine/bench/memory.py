"""Process memory: the kernel's peak (ru_maxrss) and VmRSS sampled from /proc/self/status.

tracemalloc sees only Python allocations; model weights live in native memory, so resident set
size is what counts.
"""

from __future__ import annotations

import resource
import sys
import threading
from pathlib import Path
from types import TracebackType

_STATUS = Path("/proc/self/status")


def rss_mib() -> float | None:
    """Current resident set size (VmRSS) in MiB, or None where /proc is unavailable."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def max_rss_mib() -> float:
    """Peak resident set size of this process so far (getrusage ru_maxrss) in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class RssSampler:
    """Samples VmRSS in a background thread while the ``with`` block runs."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak_mib: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        value = rss_mib()
        if value is not None and (self.peak_mib is None or value > self.peak_mib):
            self.peak_mib = value

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
