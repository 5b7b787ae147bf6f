"""Token log-probabilities and restricted language detection on both backends, real weights.

The log-probabilities are the ones each backend scores its text with: per decoded chunk,
their sum over (tokens + 1) (the end token counts) is the chunk's ``avg_logprob`` as the
backend defines it (CTranslate2: its search score; PyTorch: the teacher-forced pass).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stt_engine.engine import Engine
from stt_engine.engine.contract import ChunkInput, ChunkResult, DecodeOptions

KO_CLIP = "ko/emotiontts/Main/main/lmy/lmy02044.flac"  # "전 스파게티 좋아해요."


def _decode(engine: Engine, audio: np.ndarray, options: DecodeOptions) -> ChunkResult:
    info = engine.registry.resolve(None)
    with engine.pool.acquire(info.name, info.path) as backend:
        chunk = ChunkInput(backend.features(audio), audio.size / 16000)
        return backend.decode_batch([chunk], options)[0]


@pytest.fixture(params=["torch", "ct2"])
def either(request: pytest.FixtureRequest, engine: Engine, ct2_engine: Engine) -> Engine:
    return engine if request.param == "torch" else ct2_engine


@pytest.mark.parametrize("clip", ["en/whisper_jfk.flac", KO_CLIP])
def test_token_logprobs_reproduce_the_chunks_avg_logprob(
    either: Engine, audio_dir: Path, clip: str
) -> None:
    result = _decode(either, either.decode(audio_dir / clip), DecodeOptions(logprobs=True))
    tokens = [t for s in result.segments for t in (s.logprobs or ())]
    assert tokens and result.text.strip()
    assert all(t.logprob <= 0 for t in tokens)
    # every decoded token (text and timestamps) then the end token
    decoded_count = len(result.token_logprobs) - 1
    average = sum(result.token_logprobs) / (decoded_count + 1)
    assert average == pytest.approx(result.avg_logprob, abs=1e-3)
    # the text tokens' bytes spell the text (a Korean character may span two tokens)
    spelled = b"".join(bytes(t.bytes) for t in tokens).decode("utf-8")
    assert spelled == "".join(s.text for s in result.segments)


def test_no_logprobs_unless_asked(either: Engine, jfk: Path) -> None:
    result = _decode(either, either.decode(jfk), DecodeOptions())
    assert result.token_logprobs == ()
    assert all(s.logprobs is None for s in result.segments)


def test_detection_picks_among_the_allowed_languages(either: Engine, audio_dir: Path) -> None:
    audio = either.decode(audio_dir / KO_CLIP)
    assert _decode(either, audio, DecodeOptions(languages="ko,en")).language == "ko"
    only_english = _decode(either, audio, DecodeOptions(languages="en"))
    assert only_english.language == "en"
    assert only_english.language_probability == pytest.approx(1.0)
