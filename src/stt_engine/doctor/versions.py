"""Version strings as comparable tuples: drivers ("575.57.08"), CUDA ("12.9"), packages."""

import re
from typing import Optional, Tuple

Version = Tuple[int, ...]

_NUMERIC = re.compile(r"^\d+(\.\d+)*")
# NVIDIA Linux drivers: "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", e.g. 470.82.01, 535.104.05, 580.65.06
_DRIVER = re.compile(r"^([1-9]\d{2})\.(\d{1,3})(?:\.(\d{1,3}))?$")
DRIVER_FORM = "MAJOR.MINOR[.PATCH] as nvidia-smi prints it, e.g. 535.104.05 or 580.65.06"


def parse(text: Optional[str]) -> Optional[Version]:
    """Leading dotted digits of ``text`` as a tuple; ``None`` when there are none."""
    if not text:
        return None
    match = _NUMERIC.match(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def at_least(have: Optional[str], need: str) -> bool:
    """Whether version ``have`` is ``need`` or newer (missing parts count as zero)."""
    have_v = parse(have)
    need_v = parse(need)
    if have_v is None or need_v is None:
        return False
    width = max(len(have_v), len(need_v))
    return _pad(have_v, width) >= _pad(need_v, width)


def _pad(version: Version, width: int) -> Version:
    return version + (0,) * (width - len(version))


def cuda_from_int(value: int) -> str:
    """CUDA's ``1000 * major + 10 * minor`` encoding as "major.minor" (12090 -> "12.9")."""
    return "%d.%d" % (value // 1000, (value % 1000) // 10)


def variant_cuda(variant: str) -> Optional[str]:
    """CUDA release of a wheel variant: "cu124" -> "12.4", "cu118" -> "11.8"."""
    match = re.match(r"^cu(\d{2,3})$", variant)
    if match is None:
        return None
    digits = match.group(1)
    return "%s.%s" % (digits[:-1], digits[-1])


def cuda_variant(cuda: str) -> str:
    """Wheel variant name of a CUDA release: "12.4" -> "cu124"."""
    parts = cuda.split(".")
    return "cu%s%s" % (parts[0], parts[1] if len(parts) > 1 else "0")


def series(version: str) -> str:
    """Major.minor of a package version: "2.1.2+cu121" -> "2.1"."""
    parsed = parse(version) or ()
    return ".".join(str(part) for part in parsed[:2])


def local_part(version: str) -> Optional[str]:
    """The PEP 440 local label: "2.1.2+cu124" -> "cu124"."""
    if "+" not in version:
        return None
    return version.split("+", 1)[1] or None


def public_part(version: str) -> str:
    """A version without its local label: "2.1.2+cu124" -> "2.1.2"."""
    return version.split("+", 1)[0]


def driver_version(text: str) -> Version:
    """A driver version typed by a user, checked strictly; ValueError names the expected form.

    "575.57.08" -> (575, 57, 8). "abc", "5757.08" and "575,57,08" are refused rather than read
    as their leading digits, since a wrong driver gives a wrong verdict.
    """
    match = _DRIVER.match(text.strip()) if text else None
    if match is None:
        raise ValueError("%r is not an NVIDIA driver version; expected %s" % (text, DRIVER_FORM))
    return tuple(int(part) for part in match.groups() if part is not None)
