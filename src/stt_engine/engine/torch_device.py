"""CUDA devices as PyTorch sees them: the PyTorch backend's device probe.

Kept apart from ``whisper_torch.py`` so that probing the device imports torch alone, not
transformers.
"""

from __future__ import annotations

import torch


def gpu_count() -> int:
    """CUDA devices this torch build can use (0 on a CPU build or without a driver)."""
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
