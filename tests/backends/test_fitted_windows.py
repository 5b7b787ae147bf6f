"""Fitted encoder windows on both backends: a chunk encoded in a window fitted to its length
(``fitted_windows=all``) reads like the full 30 s window, and the backends agree on it."""

from __future__ import annotations

from pathlib import Path

import jiwer
import numpy as np
import pytest
from backend_support import JFK_TEXT, assert_same_timed_words, chars, spread, words

from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.engine.contract import ChunkInput, DecodeOptions, fitted_frames
from stt_engine.errors import ModelError

WORDS = TranscribeOptions(language="en", word_timestamps=True)


def _decode_in(engine: Engine, audio: np.ndarray, frames: int) -> tuple[int, str]:
    """The feature frames and the text of one chunk decoded in a window of ``frames``."""
    info = engine.registry.resolve(None)
    with engine.pool.acquire(info.name, info.path) as backend:
        chunk = ChunkInput(backend.features(audio, frames), audio.size / 16000)
        result = backend.decode_batch([chunk], DecodeOptions(language="en", beam_size=2))[0]
    return chunk.features.shape[-1], result.text


def test_torch_encodes_the_fitted_window_it_is_given(engine: Engine, jfk: Path) -> None:
    audio = engine.decode(jfk)  # 11 s: a 20 s window
    frames = fitted_frames(audio.size / 16000)
    assert frames == 2000
    fitted_length, fitted_text = _decode_in(engine, audio, frames)
    full_length, full_text = _decode_in(engine, audio, 3000)
    assert (fitted_length, full_length) == (2000, 3000)
    assert words(fitted_text) == words(full_text)


def test_jfk_in_a_fitted_window_reads_like_the_full_window(
    full_engine: Engine, fitted_engine: Engine, jfk: Path
) -> None:
    fitted = fitted_engine.transcribe_file(jfk, WORDS)
    full = full_engine.transcribe_file(jfk, WORDS)
    assert jiwer.wer(words(JFK_TEXT), words(fitted.text)) <= 0.05
    assert words(fitted.text) == words(full.text)
    assert_same_timed_words(fitted, full)


def _features(engine: Engine, audio: np.ndarray, frames: int) -> np.ndarray:
    info = engine.registry.resolve(None)
    with engine.pool.acquire(info.name, info.path) as backend:
        return backend.features(audio, frames)


def test_both_backends_pad_a_fitted_window_with_silence(
    engine: Engine, ct2_engine: Engine, jfk: Path
) -> None:
    audio = engine.decode(jfk)[: 4 * 16000]  # 4 s of speech in a 10 s window
    after = slice(450, 1000)  # every frame past the speech (and its last STFT frame)
    for made in (_features(engine, audio, 1000), _features(ct2_engine, audio, 1000)):
        assert made.shape[-1] == 1000
        # Whisper's log-mel of digital silence: its floor, 8 (log10) below the loudest bin
        assert np.allclose(made[:, after], made.min()) and made.min() < made.max() - 1.9
    full = _features(ct2_engine, audio, 3000)  # the full window: padded as faster-whisper does
    assert not full[:, after.stop :].any()


def test_both_backends_agree_on_a_fitted_window(
    fitted_engine: Engine, ct2_fitted_engine: Engine, jfk: Path
) -> None:
    on_torch = fitted_engine.transcribe_file(jfk, WORDS)
    on_ct2 = ct2_fitted_engine.transcribe_file(jfk, WORDS)
    assert words(on_torch.text) == words(on_ct2.text)
    assert_same_timed_words(on_torch, on_ct2)


@pytest.mark.slow
def test_korean_error_rate_in_fitted_windows_within_a_point_across_backends(
    fitted_engine: Engine,
    ct2_fitted_engine: Engine,
    audio_dir: Path,
    manifest: list[dict[str, object]],
) -> None:
    rows = spread(manifest, "ko/emotiontts/Main/main/lmy/", 3)
    rows += spread(manifest, "ko/emotiontts/Emotional/", 2)
    references, torch_texts, ct2_texts = [], [], []
    for row in rows:
        audio = fitted_engine.decode(audio_dir / str(row["audio_filepath"]))
        references.append(chars(str(row["text"])))
        torch_texts.append(chars(fitted_engine.transcribe_all(audio, TranscribeOptions()).text))
        on_ct2 = ct2_fitted_engine.transcribe_all(audio, TranscribeOptions(), model="base")
        ct2_texts.append(chars(on_ct2.text))
    cer_torch = jiwer.cer(references, torch_texts)
    cer_ct2 = jiwer.cer(references, ct2_texts)
    print(
        f"CER, fitted windows, {len(rows)} Korean clips: torch {cer_torch:.4f}, ct2 {cer_ct2:.4f}"
    )
    assert abs(cer_torch - cer_ct2) <= 0.01, (cer_torch, cer_ct2)
    assert cer_torch < 0.25


def test_a_window_the_encoder_cannot_take_is_a_clear_error(engine: Engine, jfk: Path) -> None:
    audio = engine.decode(jfk)
    with pytest.raises(ModelError, match="cannot take a window of 3200 feature frames") as info:
        _decode_in(engine, audio, 3200)
    assert "up to 3000" in (info.value.hint or "")
