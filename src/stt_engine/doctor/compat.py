"""The compatibility table (``compat.json``) and the questions asked of it."""

import json
import pkgutil
from typing import Any, Dict, List, Optional, Tuple

from .versions import at_least, parse, series

Row = Dict[str, Any]


def load_table() -> Dict[str, Any]:
    """The data file, read through the package loader so it works inside a zipapp."""
    raw = pkgutil.get_data(__package__ or "stt_engine.doctor", "compat.json")
    if raw is None:
        raise RuntimeError("compat.json is missing from the doctor package")
    data: Dict[str, Any] = json.loads(raw.decode("utf-8"))
    return data


class Compat:
    """Lookups over the table: drivers per CUDA release, torch builds, CTranslate2, GPUs."""

    def __init__(self, data: Optional[Dict[str, Any]] = None) -> None:
        self.data = data if data is not None else load_table()

    def mvc_floor(self, major: int) -> Optional[str]:
        for row in self.data["cuda_majors"]:
            if row["major"] == major:
                return str(row["mvc_floor"])
        return None

    def toolkit_driver(self, cuda: str) -> Optional[str]:
        """Driver of the GA release of a CUDA major.minor (NVIDIA's Table 3)."""
        for row in self.data["cuda_releases"]:
            if row["cuda"] == cuda:
                return str(row["driver"])
        return None

    def max_cuda_for(self, driver: str) -> Optional[str]:
        """Highest CUDA release whose toolkit driver is at or below ``driver``."""
        best = None
        for row in self.data["cuda_releases"]:
            if at_least(driver, row["driver"]):
                best = row["cuda"]
        return best

    @property
    def wheel_variants(self) -> List[str]:
        return list(self.data["wheel_variants"])

    def torch_row(self, version: str) -> Optional[Row]:
        wanted = series(version)
        for row in self.data["torch"]:
            if row["series"] == wanted:
                return dict(row)
        return None

    def torch_first_with(self, variant: str) -> Optional[str]:
        """The first torch series that ships a given wheel variant."""
        for row in self.data["torch"]:
            if variant in row["variants"]:
                return str(row["series"])
        return None

    def torch_archs(self, version: str, variant: str) -> Optional[Row]:
        wanted = parse(series(version)) or ()
        for row in self.data["torch_archs"]:
            low, high = (parse(bound) or () for bound in row["series"])
            if row["variant"] == variant and low <= wanted <= high:
                return dict(row)
        return None

    def ctranslate2_row(self, version: str) -> Tuple[Optional[Row], bool]:
        """The row covering ``version`` and whether it is only assumed (a newer release)."""
        rows = self.data["ctranslate2"]
        for row in rows:
            if at_least(version, row["first"]) and at_least(row["last"], version):
                return dict(row), False
        if at_least(version, rows[-1]["last"]):
            return dict(rows[-1]), True
        return None, False

    def gpu_arch(self, compute_capability: str) -> Optional[Row]:
        for row in self.data["gpu_archs"]:
            if at_least(compute_capability, row["cc_min"]) and at_least(
                row["cc_max"], compute_capability
            ):
                return dict(row)
        return None

    def compute_capability_range(self) -> Tuple[str, str]:
        """The oldest and newest compute capability the GPU table covers ("3.0", "12.1")."""
        bounds = [row["cc_min"] for row in self.data["gpu_archs"]]
        bounds += [row["cc_max"] for row in self.data["gpu_archs"]]
        ordered = sorted(bounds, key=lambda cc: parse(cc) or ())
        return str(ordered[0]), str(ordered[-1])

    def onnxruntime_cuda(self, version: str) -> str:
        for row in self.data["onnxruntime_gpu"]:
            if at_least(version, row["first"]):
                return str(row["cuda"])
        return "11.8"
