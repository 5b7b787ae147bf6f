"""The PyTorch backend's own Whisper tokenizer and word timing, on the packaged base vocabulary.

faster-whisper's tokenizer is the reference the CTranslate2 backend uses: the engine's own
must give the same start sequences, suppressed tokens, words and timestamped text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tokenizers

from stt_engine.config import Settings
from stt_engine.engine.whisper_tokenizer import WhisperTokenizer, language_tokens
from stt_engine.engine.word_timing import Alignment, TimedWord, add_words, merge_punctuations
from stt_engine.models import ModelRegistry

TEXTS = {
    "en": ' And so, my fellow Americans: ask not -- "what" (your) country\'s [MUSIC] can do!',
    "ko": " 전 스파게티 좋아해요. 안녕하세요, 반갑습니다!",
    "zh": " 我喜欢意大利面。你好，世界！",
    "ja": " こんにちは、世界。♪",
}


@pytest.fixture(scope="module")
def vocabulary(engine_settings: Settings) -> Any:
    folder: Path = ModelRegistry(engine_settings).resolve("base").path
    return tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))


@pytest.mark.parametrize("language", sorted(TEXTS))
@pytest.mark.parametrize("task", ["transcribe", "translate"])
def test_the_tokenizer_follows_faster_whisper(vocabulary: Any, language: str, task: str) -> None:
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    ours, reference = (
        WhisperTokenizer(vocabulary, True, task, language),
        Tokenizer(vocabulary, True, task=task, language=language),
    )
    assert ours.sot_sequence == reference.sot_sequence
    assert ours.suppressed_tokens == tuple(get_suppressed_tokens(reference, [-1]))
    tokens = [*ours.encode(TEXTS[language]), ours.timestamp_begin + 50, *ours.encode(" more")]
    tokens.append(ours.eot)
    assert ours.split_to_word_tokens(tokens) == reference.split_to_word_tokens(tokens)
    assert ours.decode_with_timestamps(tokens) == reference.decode_with_timestamps(tokens)
    assert ours.decode(tokens) == reference.decode(tokens)
    for name in ("sot", "sot_prev", "eot", "no_timestamps", "no_speech", "timestamp_begin"):
        assert getattr(ours, name) == getattr(reference, name), name


def test_a_monolingual_model_transcribes_english(vocabulary: Any) -> None:
    tokenizer = WhisperTokenizer(vocabulary, False, "translate", "ko")
    assert tokenizer.sot_sequence == [tokenizer.sot] and tokenizer.language_code == "en"


def test_unknown_task_or_language_is_refused(vocabulary: Any) -> None:
    with pytest.raises(ValueError, match="unknown task 'summarise'"):
        WhisperTokenizer(vocabulary, True, "summarise", "en")
    with pytest.raises(ValueError, match="unknown language code 'xx'"):
        WhisperTokenizer(vocabulary, True, "transcribe", "xx")


def test_language_tokens_are_the_vocabularys_languages(vocabulary: Any) -> None:
    found = dict(language_tokens(vocabulary))
    assert found["en"] == vocabulary.token_to_id("<|en|>") and "ko" in found
    assert "yue" not in found  # the base vocabulary predates Cantonese


def _chunk(tokenizer: WhisperTokenizer, *texts: str) -> list[dict[str, Any]]:
    subsegments, start = [], 0.0
    for text in texts:
        tokens = tokenizer.encode(text)
        subsegments.append({"start": start, "end": start + 2.0, "tokens": tokens})
        start += 2.0
    return subsegments


def _steady(tokens: int, frames_per_token: int = 10) -> Alignment:
    """Each token (and the end of text after them) heard ``frames_per_token`` after the last."""
    path = [(i, i * frames_per_token) for i in range(tokens + 1)]
    return Alignment(path, [0.5] * tokens)


def test_words_are_timed_and_punctuation_joins_its_word(vocabulary: Any) -> None:
    tokenizer = WhisperTokenizer(vocabulary, True, "transcribe", "en")
    subsegments = _chunk(tokenizer, " And so, my", " fellow Americans.")
    count = sum(len(s["tokens"]) for s in subsegments)
    add_words(subsegments, tokenizer, _steady(count))
    first, second = ([w["word"] for w in s["words"]] for s in subsegments)
    assert first == [" And", " so,", " my"] and second == [" fellow", " Americans."]
    timed = [w for s in subsegments for w in s["words"]]
    assert [w["start"] for w in timed] == sorted(w["start"] for w in timed)
    assert all(w["start"] <= w["end"] and w["probability"] == 0.5 for w in timed)
    assert subsegments[0]["start"] == timed[0]["start"] == 0.0
    assert subsegments[1]["end"] == timed[-1]["end"]


def test_a_chunk_without_text_gets_no_words(vocabulary: Any) -> None:
    tokenizer = WhisperTokenizer(vocabulary, True, "transcribe", "en")
    subsegments = [{"start": 0.0, "end": 1.0, "tokens": [tokenizer.timestamp_begin]}]
    add_words(subsegments, tokenizer, Alignment([(0, 0)], []))
    assert subsegments[0]["words"] == []


def test_a_long_word_after_a_pause_is_cut_to_twice_the_median(vocabulary: Any) -> None:
    tokenizer = WhisperTokenizer(vocabulary, True, "transcribe", "en")
    subsegments = _chunk(tokenizer, " one two three four five")
    tokens = len(subsegments[0]["tokens"])
    path = [(0, 0), *((i, 200 + 10 * (i - 1)) for i in range(1, tokens + 1))]  # 4 s first word
    subsegments[0]["end"] = 6.0
    add_words(subsegments, tokenizer, Alignment(path, [0.9] * tokens))
    first, *others = subsegments[0]["words"]
    median = float(np.median([4.0, *(w["end"] - w["start"] for w in others)]))
    assert first["end"] == 4.0 and first["end"] - first["start"] == pytest.approx(2 * median)
    assert subsegments[0]["start"] == first["start"] > 3.0


def test_opening_marks_join_the_next_word() -> None:
    timed = [
        TimedWord(" (", [1], 0, 1, 1),
        TimedWord("yes", [2], 1, 2, 1),
        TimedWord(")", [3], 2, 3, 1),
    ]
    merge_punctuations(timed, "([", ")]")
    assert [t.word for t in timed] == ["", " (yes)", ""]
    assert timed[1].tokens == [1, 2, 3]


def test_a_vocabulary_without_whisper_tokens_is_refused() -> None:
    plain = tokenizers.Tokenizer(tokenizers.models.WordLevel({"hello": 0}, unk_token="hello"))
    tokenizer = WhisperTokenizer(plain, False)
    with pytest.raises(ValueError, match=r"no <\|startoftranscript\|> token"):
        _ = tokenizer.sot_sequence
    assert tokenizer.no_speech is None
