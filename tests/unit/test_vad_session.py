"""The Silero VAD session runs without onnxruntime's per-shape memory plans (engine/vad.py).

With plans on, every new audio length left one more plan behind, and a long-running server
kept growing; the rebuilt session must score exactly like faster-whisper's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_audio
from stt_engine.engine.vad import VadSettings, silero, speech_timestamps

faster_whisper_vad = pytest.importorskip("faster_whisper.vad")


def test_the_shared_model_has_memory_plans_off() -> None:
    model = silero()
    assert model is faster_whisper_vad.get_vad_model()  # the one model every caller uses
    assert model.session.get_session_options().enable_mem_pattern is False


def test_it_scores_like_the_original_session(jfk: Path) -> None:
    audio = decode_audio(jfk)
    audio = audio[: audio.size // 512 * 512]
    original = faster_whisper_vad.SileroVADModel(silero().session._model_path)
    assert original.session.get_session_options().enable_mem_pattern is True
    np.testing.assert_allclose(silero()(audio), original(audio), atol=1e-6)
    assert speech_timestamps(audio, VadSettings())  # the region finder goes through it too
