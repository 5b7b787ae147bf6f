"""``stt-engine doctor``: can this server (or a planned one) run the engine, and what must I carry?

Standard library only, Python 3.6+, and no imports from the rest of ``stt_engine``: the package
runs as a zipapp on a bare server and where CUDA is broken.

Public API::

    facts = gather_facts()                      # or target_facts("575.57.08")
    report = evaluate(facts, ["torch==2.5.1+cu124"])
    print(summary_line(report))
"""

import ctypes
from typing import List, Optional

from .facts import gather_facts, target_facts
from .nvml import read_nvml
from .probe import CommandResult, ProbeContext, run_command
from .report import evaluate, exit_code, render_table, summary_line

__all__ = [
    "CommandResult",
    "ProbeContext",
    "evaluate",
    "exit_code",
    "gather_facts",
    "gpu_name",
    "render_table",
    "run_command",
    "summary_line",
    "target_facts",
]


def gpu_name(index: int = 0, timeout: float = 5.0) -> Optional[str]:
    """The name NVML gives GPU ``index``; ``None`` when NVML or the GPU is missing."""
    from .probe import with_timeout
    from .records import GpuFacts

    def names() -> List[GpuFacts]:
        return read_nvml(ctypes.CDLL)[1]

    none: List[GpuFacts] = []
    gpus = with_timeout(names, timeout, none)
    return next((gpu.name for gpu in gpus if gpu.index == index), None)
