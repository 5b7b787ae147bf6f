"""Inference: the backend contract, device choice, model pool and the Engine facade."""

from stt_engine.engine.backend import Backend, DeviceChoice, TranscribeOptions
from stt_engine.engine.engine import Engine

__all__ = ["Backend", "DeviceChoice", "Engine", "TranscribeOptions"]
