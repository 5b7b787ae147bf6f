"""The small Python API: ``stt_engine.transcribe(path, **options)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stt_engine.config import Settings
from stt_engine.transcript import Transcript

_SETTING_KEYS = ("device", "compute_type", "models_dir", "cpu_threads")


def transcribe_file(path: str | Path, **options: Any) -> Transcript:
    """Transcribe one file; options are TranscribeOptions fields plus model/device settings."""
    from stt_engine.engine import Engine
    from stt_engine.options import TranscribeOptions

    model = options.pop("model", None)
    overrides = {k: options.pop(k) for k in _SETTING_KEYS if k in options}
    engine = Engine(Settings(**overrides))
    return engine.transcribe_file(path, TranscribeOptions(**options), model=model)
