"""The PyTorch backend on real weights and real speech agrees with the CTranslate2 backend."""

from __future__ import annotations

import re
from pathlib import Path

import jiwer
import numpy as np
import pytest
from backend_support import (
    JFK_TEXT,
    all_words,
    assert_same_timed_words,
    chars,
    spread,
    words,
)

from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.engine.contract import ChunkInput, DecodeOptions
from stt_engine.errors import ModelInvalidError
from stt_engine.models.layout import TRANSFORMERS, check_folder


def test_checkpoint_is_recognised_and_read_by_torch(engine: Engine, hf_base: Path) -> None:
    assert check_folder(hf_base) == TRANSFORMERS
    assert engine.kind(hf_base).name == "torch"
    assert engine.device.device == "cpu" and engine.device.compute_type == "float32"
    info = engine.registry.resolve(hf_base.name)
    assert info.format == TRANSFORMERS and info.multilingual


def test_jfk_text_and_word_times_match_ctranslate2(
    engine: Engine, ct2_engine: Engine, jfk: Path
) -> None:
    options = TranscribeOptions(language="en", word_timestamps=True)
    on_torch = engine.transcribe_file(jfk, options)
    on_ct2 = ct2_engine.transcribe_file(jfk, options)
    assert jiwer.wer(words(JFK_TEXT), words(on_torch.text)) <= 0.05
    assert words(on_torch.text) == words(on_ct2.text)
    torch_words, ct2_words = all_words(on_torch), all_words(on_ct2)
    assert [w.word for w in torch_words] == [w.word for w in ct2_words]
    assert_same_timed_words(on_torch, on_ct2)


@pytest.mark.slow
def test_korean_error_rate_within_a_point_of_ctranslate2(
    engine: Engine, ct2_engine: Engine, audio_dir: Path, manifest: list[dict[str, object]]
) -> None:
    rows = spread(manifest, "ko/emotiontts/Main/main/lmy/", 5)
    rows += spread(manifest, "ko/emotiontts/Emotional/", 3)
    references, torch_texts, ct2_texts = [], [], []
    for row in rows:
        audio = engine.decode(audio_dir / str(row["audio_filepath"]))
        references.append(chars(str(row["text"])))
        torch_texts.append(chars(engine.transcribe_all(audio, TranscribeOptions()).text))
        ct2_texts.append(
            chars(ct2_engine.transcribe_all(audio, TranscribeOptions(), model="base").text)
        )
    cer_torch = jiwer.cer(references, torch_texts)
    cer_ct2 = jiwer.cer(references, ct2_texts)
    print(f"CER over {len(rows)} Korean clips: torch {cer_torch:.4f}, ctranslate2 {cer_ct2:.4f}")
    assert abs(cer_torch - cer_ct2) <= 0.01, (cer_torch, cer_ct2)
    assert cer_torch < 0.25


def test_language_is_detected_on_the_first_chunk(engine: Engine, audio_dir: Path) -> None:
    clip = audio_dir / "ko/emotiontts/Main/main/lmy/lmy01001.flac"
    transcript = engine.transcribe_file(clip, TranscribeOptions())
    assert transcript.language == "ko" and transcript.info.language_probability > 0.5


def test_translate_gives_english(engine: Engine, audio_dir: Path) -> None:
    clip = audio_dir / "ko/emotiontts/Main/main/lmy/lmy02044.flac"  # 전 스파게티 좋아해요.
    transcript = engine.transcribe_file(clip, TranscribeOptions(task="translate"))
    assert "spaghetti" in transcript.text.lower()
    assert not re.search(r"[\uac00-\ud7a3]", transcript.text)


def _decode(engine: Engine, audio: np.ndarray, options: DecodeOptions, count: int = 1):  # type: ignore[no-untyped-def]
    info = engine.registry.resolve(None)
    with engine.pool.acquire(info.name, info.path) as backend:
        chunk = ChunkInput(backend.features(audio), audio.size / 16000)
        return backend.decode_batch([chunk] * count, options)


def test_a_batch_decodes_like_one_chunk_alone(engine: Engine, jfk: Path) -> None:
    audio = engine.decode(jfk)
    options = DecodeOptions(language="en", beam_size=2)
    alone = _decode(engine, audio, options)[0]
    batched = _decode(engine, audio, options, count=3)
    assert [r.text for r in batched] == [alone.text] * 3
    assert batched[2].avg_logprob == pytest.approx(alone.avg_logprob, abs=1e-3)
    assert 0.0 <= alone.no_speech_prob < 0.5 and alone.avg_logprob > -0.6


@pytest.mark.parametrize("backend", ["engine", "ct2_engine"])
def test_a_fallback_step_is_deterministic_alone_or_batched(
    backend: str, request: pytest.FixtureRequest, jfk: Path
) -> None:
    engine: Engine = request.getfixturevalue(backend)
    audio = engine.decode(jfk)
    step = DecodeOptions.for_request(TranscribeOptions(language="en", beam_size=2), "en", 3)
    assert step.temperature == 0.6 and step.repetition_penalty > 1 and step.no_repeat_ngram_size
    first, again = (_decode(engine, audio, step)[0] for _ in range(2))
    batched = _decode(engine, audio, step, count=3)
    assert again.text == first.text and [r.text for r in batched] == [first.text] * 3
    assert first.temperature == 0.6 and -2.0 < first.avg_logprob < 0.0
    assert jiwer.wer(words(JFK_TEXT), words(first.text)) <= 0.3


@pytest.mark.parametrize("backend", ["engine", "ct2_engine"])
def test_without_timestamps_gives_one_segment_over_the_chunk(
    backend: str, request: pytest.FixtureRequest, jfk: Path
) -> None:
    engine: Engine = request.getfixturevalue(backend)
    audio = engine.decode(jfk)
    result = _decode(engine, audio, DecodeOptions(language="en", without_timestamps=True))[0]
    assert len(result.segments) == 1 and result.segments[0].start == 0.0
    assert result.segments[0].end == pytest.approx(audio.size / 16000, abs=0.01)
    assert jiwer.wer(words(JFK_TEXT), words(result.text)) <= 0.05


def test_prompt_and_hotwords_steer_but_stay_out_of_the_text(engine: Engine, jfk: Path) -> None:
    audio = engine.decode(jfk)
    options = DecodeOptions(language="en", initial_prompt="A speech.", hotwords="Americans")
    result = _decode(engine, audio, options)[0]
    assert "A speech" not in result.text
    assert jiwer.wer(words(JFK_TEXT), words(result.text)) <= 0.1


def test_silence_scores_as_no_speech(engine: Engine) -> None:
    silence = np.zeros(16000 * 3, dtype=np.float32)
    result = _decode(engine, silence, DecodeOptions(language="en", beam_size=1))[0]
    assert result.no_speech_prob > 0.5


def test_a_backend_that_cannot_read_the_folder_is_a_clear_error(
    engine: Engine, hf_base: Path, ct2_base: Path
) -> None:
    with pytest.raises(ModelInvalidError, match="backend torch cannot read ctranslate2") as info:
        engine.kind(ct2_base)
    assert "auto" in (info.value.hint or "")
    on_ct2 = Engine(engine.settings.model_copy(update={"backend": "ctranslate2"}))
    with pytest.raises(ModelInvalidError, match="cannot read transformers") as info:
        on_ct2.kind(hf_base)
    assert "models convert" in (info.value.hint or "")


def test_cuda_demanded_of_a_cpu_torch_build_says_what_to_install(engine: Engine) -> None:
    import torch

    from stt_engine.engine.kinds import kind_named
    from stt_engine.errors import DeviceError

    if torch.cuda.is_available():
        pytest.skip("this machine's torch can use CUDA")
    on_cuda = Engine(engine.settings.model_copy(update={"device": "cuda"}))
    with pytest.raises(DeviceError, match="no CUDA device visible to PyTorch") as info:
        on_cuda.device_for(kind_named("torch"))
    assert "torch-cuda12" in (info.value.hint or "")
