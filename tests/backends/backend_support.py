"""Test helper: comparing transcripts across backends and windows, and picking clips."""

from __future__ import annotations

import re
import unicodedata

from stt_engine.transcript import Transcript, Word

JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
WORD_TIME_TOLERANCE = 0.3  # seconds; up to 0.22 s apart measured on an Intel Xeon


def words(text: str) -> str:
    """Lower-case words without punctuation (English comparisons)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def chars(text: str) -> str:
    """Letters and digits only (Korean comparisons)."""
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFC", text))


def all_words(transcript: Transcript) -> list[Word]:
    return [w for s in transcript.segments for w in s.words or ()]


def assert_same_timed_words(mine: Transcript, theirs: Transcript) -> None:
    """The same words (punctuation aside), each starting and ending within the tolerance."""
    mine_words, their_words = all_words(mine), all_words(theirs)
    assert [words(w.word) for w in mine_words] == [words(w.word) for w in their_words]
    for one, other in zip(mine_words, their_words, strict=True):
        assert abs(one.start - other.start) <= WORD_TIME_TOLERANCE, (one, other)
        assert abs(one.end - other.end) <= WORD_TIME_TOLERANCE, (one, other)
        assert 0.0 < one.probability <= 1.0


def spread(manifest: list[dict[str, object]], prefix: str, count: int) -> list[dict[str, object]]:
    """``count`` clips spread evenly over the manifest rows under ``prefix``."""
    rows = sorted(
        (r for r in manifest if str(r["audio_filepath"]).startswith(prefix)),
        key=lambda r: str(r["audio_filepath"]),
    )
    step = len(rows) / count
    return [rows[int(i * step)] for i in range(count)]
