"""Where models come from: an explicit path, the models directory, installed packages, aliases."""

from stt_engine.models.registry import ModelInfo, ModelRegistry

__all__ = ["ModelInfo", "ModelRegistry"]
