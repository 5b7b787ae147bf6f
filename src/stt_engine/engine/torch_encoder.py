"""Whisper's encoder on a window of any length up to 30 s, for the PyTorch backend.

``transformers``' Whisper encoder refuses features that are not exactly 3000 frames long. A
fitted window (see ``backend.fitted_frames``) is shorter: its features are the same log-mel
frames as the full window's, cut at ``frames``, and the encoder runs its own layers on them
with the first ``frames / 2`` positional embeddings, as whisper.cpp's ``audio_ctx`` and
CTranslate2 do. On a full window this is the same arithmetic as the library's forward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn.functional import gelu

from stt_engine.engine.contract import ENCODER_FRAMES
from stt_engine.errors import ModelError

HOP_SAMPLES = 160  # 16 kHz samples per feature frame


def log_mel(extractor: Any, audio: np.ndarray, frames: int = ENCODER_FRAMES) -> np.ndarray:
    """(mel bins, ``frames``) features of at most ``frames`` frames of audio, zero-padded."""
    values = extractor(
        audio,
        sampling_rate=16000,
        return_tensors="np",
        padding="max_length",
        max_length=frames * HOP_SAMPLES,
    )
    return np.ascontiguousarray(values["input_features"][0], dtype=np.float32)


def encode(encoder: Any, features: torch.Tensor) -> torch.Tensor:
    """The encoder's last hidden state, (batch, frames / 2, width), for features of
    (batch, mel bins, frames) with an even ``frames`` up to the model's full window."""
    frames = int(features.shape[-1])
    table = encoder.embed_positions.weight
    if frames % 2 or not 0 < frames // 2 <= table.shape[0]:
        raise ModelError(
            f"this model's encoder cannot take a window of {frames} feature frames",
            hint=f"windows are an even number of frames up to {2 * table.shape[0]}",
        )
    hidden = gelu(encoder.conv2(gelu(encoder.conv1(features))))
    hidden = hidden.permute(0, 2, 1) + table[: frames // 2]
    for layer in encoder.layers:
        out = layer(hidden, None)
        hidden = out[0] if isinstance(out, tuple) else out  # transformers 4 returns a tuple
    return encoder.layer_norm(hidden)
