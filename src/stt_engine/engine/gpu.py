"""The name of a GPU, for the ``Device:`` line (NVML through the doctor's reader)."""

from __future__ import annotations

from stt_engine.doctor.nvml import GpuReader


def gpu_name(index: int) -> str:
    """NVML's name for GPU ``index``, or ``GPU <index>`` when NVML cannot say."""
    return GpuReader().name(index) or f"GPU {index}"
