"""stt-engine: Whisper speech-to-text for air-gapped GPU servers.

Importing this package is light: the inference libraries load only when a model is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from pathlib import Path

    from stt_engine.transcript import Transcript

__all__ = ["__version__", "transcribe"]


def transcribe(path: str | Path, **options: Any) -> Transcript:
    """Transcribe one audio file with the default settings and return the whole transcript.

    Keyword options are those of ``TranscribeOptions`` plus ``model``, ``device`` and
    ``compute_type``.
    """
    from stt_engine.api import transcribe_file

    return transcribe_file(path, **options)
