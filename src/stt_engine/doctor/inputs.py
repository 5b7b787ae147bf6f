"""What a user types into the doctor, checked before anything is judged.

Each checker takes the text as typed and returns the clean value, or raises ValueError with a
sentence that names the expected form. The argparse front end (``python3 doctor.pyz`` and,
through it, ``stt-engine doctor``) turns that sentence into a usage error and exit 2: a wrong
driver or GPU would otherwise give a confident, wrong verdict.
"""

import math
import os
import re
from typing import List, Optional

from .compat import Compat
from .requirements import parse_spec
from .versions import at_least, driver_version

CC_FORM = "MAJOR.MINOR as nvidia-smi --query-gpu=compute_cap prints it, e.g. 8.6 or 9.0"
_CC = re.compile(r"^([1-9]\d?)\.(\d)$")
_SM = re.compile(r"^sm_([1-9]\d?)(\d)$")


def target_driver(text: str) -> str:
    """A driver version like 575.57.08 (``versions.driver_version`` decides)."""
    driver_version(text)
    return text.strip()


def target_gpu(text: str, compat: Optional[Compat] = None) -> str:
    """A compute capability the GPU table covers: "9.0", "8.6" (also "sm_90", "sm_86")."""
    cleaned = text.strip()
    sm = _SM.match(cleaned.lower())
    if sm is not None:
        cleaned = "%s.%s" % sm.groups()
    if _CC.match(cleaned) is None:
        raise ValueError("%r is not a GPU compute capability; expected %s" % (text, CC_FORM))
    low, high = (compat or Compat()).compute_capability_range()
    if not (at_least(cleaned, low) and at_least(high, cleaned)):
        raise ValueError(
            "compute capability %s is outside the doctor's GPU table (%s to %s); leave out "
            "--target-gpu to judge the driver alone" % (cleaned, low, high)
        )
    return cleaned


def requirement(text: str) -> str:
    """A pinned requirement the doctor can judge: name==version."""
    parse_spec(text)
    return text.strip()


def timeout(text: str) -> float:
    """Seconds per probe: a finite number above zero."""
    form = "a number of seconds above 0, e.g. 5"
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError("%r is not a timeout; expected %s" % (text, form)) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("%r is not a usable timeout; expected %s" % (text, form))
    return seconds


def site_packages(text: str) -> str:
    """An existing folder that holds installed packages."""
    if not text or not os.path.isdir(text):
        raise ValueError(
            "%r is not an existing folder; expected a site-packages folder, "
            "e.g. /opt/venv/lib/python3.11/site-packages" % text
        )
    return text


def zipapp_target(text: str) -> str:
    """Where to write the zipapp: a file name in an existing folder."""
    folder = os.path.dirname(os.path.abspath(text)) if text else ""
    if not text or os.path.isdir(text) or not os.path.isdir(folder):
        raise ValueError(
            "%r cannot be written; expected a file path in an existing folder, "
            "e.g. doctor.pyz" % text
        )
    return text


def combination(
    target: Optional[str], gpu: Optional[str], deep: bool, sites: Optional[List[str]]
) -> None:
    """Options that only make sense together (or apart); ValueError says which and why."""
    if gpu is not None and target is None:
        raise ValueError(
            "--target-gpu describes a planned server; give its driver too, "
            "e.g. --target-driver 575.57.08 --target-gpu 9.0"
        )
    if target is not None and deep:
        raise ValueError(
            "--deep imports packages on this machine; leave it out with --target-driver"
        )
    if target is not None and sites:
        raise ValueError(
            "--site-packages reads packages on this machine; with --target-driver, "
            "name planned packages with --require NAME==VERSION"
        )
