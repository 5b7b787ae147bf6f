"""Inference: the backend contract, device choice, model pool and the Engine facade."""

from stt_engine.engine.contract import Backend, DeviceChoice
from stt_engine.engine.engine import Engine
from stt_engine.options import TranscribeOptions  # the request options, with their table

__all__ = ["Backend", "DeviceChoice", "Engine", "TranscribeOptions"]
