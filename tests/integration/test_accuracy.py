"""Accuracy and long-form behaviour of the real base model on real speech (CPU, int8)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import jiwer
import pytest

from stt_engine.engine import Engine, TranscribeOptions


def _words(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def _chars(text: str) -> str:
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFC", text))


def test_jfk_word_error_rate(engine: Engine, jfk: Path) -> None:
    reference = (
        "And so my fellow Americans, ask not what your country can do for you, "
        "ask what you can do for your country."
    )
    transcript = engine.transcribe_all(engine.decode(jfk), TranscribeOptions(language="en"))
    assert jiwer.wer(_words(reference), _words(transcript.text)) <= 0.10
    assert transcript.language == "en" and transcript.duration == pytest.approx(11.0, abs=0.05)


def test_language_is_detected_when_not_given(engine: Engine, audio_dir: Path) -> None:
    clip = audio_dir / "ko/emotiontts/Main/main/lmy/lmy01001.flac"
    transcript = engine.transcribe_all(engine.decode(clip), TranscribeOptions())
    assert transcript.language == "ko"


def _sample(rows: list[dict[str, object]], count: int) -> list[dict[str, object]]:
    """``count`` rows spread evenly over the whole set, in file order."""
    ordered = sorted(rows, key=lambda r: str(r["audio_filepath"]))
    step = len(ordered) / count
    return [ordered[int(i * step)] for i in range(count)]


def _errors_against_best_reference(row: dict[str, object], hypothesis: str) -> tuple[float, int]:
    """Character errors against the spoken or the written reference, whichever is closer.

    The references spell numbers out as read ("이천구년"); Whisper writes digits ("2009년").
    Scoring against both readings and keeping the closer one is candidate-set matching.
    """
    best: tuple[float, int] | None = None
    for key in ("text", "text_written"):
        reference = _chars(str(row.get(key) or row["text"]))
        errors = jiwer.cer(reference, hypothesis) * len(reference)
        if best is None or errors / len(reference) < best[0] / best[1]:
            best = (errors, len(reference))
    assert best is not None
    return best


@pytest.mark.slow
def test_korean_read_speech_character_error_rate(
    engine: Engine, manifest: list[dict[str, object]], audio_dir: Path
) -> None:
    clips = [r for r in manifest if "ko/emotiontts/Main/main/lmy/" in str(r["audio_filepath"])]
    rows = _sample(clips, 50)
    options = TranscribeOptions(language="ko")
    errors = length = 0.0
    spoken_errors = spoken_length = 0.0
    for row in rows:
        audio = engine.decode(audio_dir / str(row["audio_filepath"]))
        hypothesis = _chars(engine.transcribe_all(audio, options).text)
        row_errors, row_length = _errors_against_best_reference(row, hypothesis)
        errors, length = errors + row_errors, length + row_length
        spoken = _chars(str(row["text"]))
        spoken_errors += jiwer.cer(spoken, hypothesis) * len(spoken)
        spoken_length += len(spoken)
    cer = errors / length
    print(
        f"Korean lmy x50 CER: {cer:.4f} (best of spoken/written reference), "
        f"{spoken_errors / spoken_length:.4f} against the spoken reference only"
    )
    assert cer <= 0.10


def _check_timeline(transcript_segments: tuple, duration: float) -> None:  # type: ignore[type-arg]
    assert transcript_segments, "no segments"
    previous_end = 0.0
    for segment in transcript_segments:
        assert 0.0 <= segment.start <= segment.end <= duration + 0.5
        assert segment.start >= previous_end - 0.5, (segment, previous_end)
        previous_end = segment.end
    assert [s.id for s in transcript_segments] == list(range(len(transcript_segments)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("relative", "language", "metric", "bound"),
    [
        ("en/derived/long_en_read_mix.flac", "en", "wer", 0.25),
        ("ko/derived/long_ko_emotiontts_lmy_10min.flac", "ko", "cer", 0.15),
    ],
)
def test_long_files_keep_timestamps_in_order_and_inside(
    engine: Engine,
    manifest: list[dict[str, object]],
    audio_dir: Path,
    relative: str,
    language: str,
    metric: str,
    bound: float,
) -> None:
    row = next(r for r in manifest if r["audio_filepath"] == relative)
    audio = engine.decode(audio_dir / relative)
    done: list[float] = []
    transcript = engine.transcribe_all(
        audio, TranscribeOptions(language=language), progress=done.append
    )
    _check_timeline(transcript.segments, transcript.duration)
    assert done == sorted(done) and done[-1] == pytest.approx(transcript.duration)
    if metric == "wer":
        error = jiwer.wer(_words(str(row["text"])), _words(transcript.text))
    else:
        error = jiwer.cer(_chars(str(row["text"])), _chars(transcript.text))
    print(f"{relative}: {metric} {error:.4f}, {len(transcript.segments)} segments")
    assert error <= bound


def test_python_api_transcribes_a_file(jfk: Path) -> None:
    import stt_engine

    transcript = stt_engine.transcribe(jfk, language="en", device="cpu", word_timestamps=True)
    assert "ask not what your country" in transcript.text
    assert transcript.words and transcript.words[0].start < transcript.words[-1].end


def test_english_only_model_refuses_translation_and_other_languages(
    engine: Engine, jfk: Path
) -> None:
    from stt_engine.errors import InvalidRequestError

    audio = engine.decode(jfk)
    with pytest.raises(InvalidRequestError, match="English-only"):
        engine.prepare("tiny.en", TranscribeOptions(task="translate"))
    with pytest.raises(InvalidRequestError, match="English-only"):
        engine.prepare("tiny.en", TranscribeOptions(language="ko"))
    text = engine.transcribe_all(audio, TranscribeOptions(), model="tiny.en").text
    assert "country" in text


def test_file_decoded_while_transcribing_matches_decoded_array(engine: Engine, jfk: Path) -> None:
    options = TranscribeOptions(language="en")
    streamed = engine.transcribe_file(jfk, options)
    whole = engine.transcribe_all(engine.decode(jfk), options)
    assert streamed.text == whole.text
    assert streamed.duration == pytest.approx(whole.duration)
    assert [s.start for s in streamed.segments] == [s.start for s in whole.segments]
