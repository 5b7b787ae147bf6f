"""``--deep``: import torch / ctranslate2 in a child interpreter and ask them directly."""

import json
import sys
from typing import Any, Dict, Optional

from .probe import Runner, run_command

_SCRIPT = r"""
import json
out = {}
try:
    import torch
    out["torch"] = {"version": torch.__version__, "cuda": torch.version.cuda,
                    "available": torch.cuda.is_available(),
                    "archs": torch.cuda.get_arch_list() if torch.cuda.is_available() else []}
except Exception as exc:
    out["torch"] = {"error": repr(exc)}
try:
    import ctranslate2
    out["ctranslate2"] = {"version": ctranslate2.__version__,
                          "cuda_devices": ctranslate2.get_cuda_device_count()}
except Exception as exc:
    out["ctranslate2"] = {"error": repr(exc)}
print("DOCTOR-DEEP " + json.dumps(out))
"""


def deep_probe(
    python: Optional[str] = None, run: Runner = run_command, timeout: float = 60.0
) -> Dict[str, Any]:
    """What the packages say about themselves when imported, or why that failed."""
    result = run([python or sys.executable, "-c", _SCRIPT], timeout)
    if result.error is not None:
        return {"error": result.error}
    for line in result.stdout.splitlines():
        if line.startswith("DOCTOR-DEEP "):
            parsed: Dict[str, Any] = json.loads(line[len("DOCTOR-DEEP ") :])
            return parsed
    tail = result.stdout.strip().splitlines()[-1:] or ["no output"]
    return {"error": "the import probe exited with %d: %s" % (result.returncode, tail[0])}
