"""Error rates for one reference/hypothesis pair and for a whole corpus (edit distance: jiwer).

Metrics by language:

* ko, ja, zh (scripts without reliable word spaces): ``cer`` over characters with spaces and
  punctuation removed (``korean`` normaliser for ko, ``cjk`` for ja/zh). Korean also gets
  ``swer``: space-normalised WER, where the hypothesis takes the reference's word spacing
  wherever their characters match, so only recognition errors (not spacing choices) count.
* en: ``wer`` after the ``english`` normaliser.
* any other language: ``wer`` after the ``basic`` normaliser.

Empty texts: an empty reference with an empty hypothesis scores 0 errors; with a non-empty
hypothesis every hypothesis unit is an insertion. The per-file rate of an empty reference is
0.0 or 1.0 (a rate over zero units is undefined); corpus rates (total errors / total reference
units) are unaffected by that convention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import jiwer

from stt_engine.bench.normalise import CJK_LANGUAGES, normalise, normaliser_for


@dataclass(frozen=True, slots=True)
class Count:
    """Edit operations of one metric on one pair."""

    metric: str  # "cer", "wer" or "swer"
    substitutions: int
    deletions: int
    insertions: int
    reference_units: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        if self.reference_units == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.reference_units


@dataclass(frozen=True, slots=True)
class Score:
    """All metrics of one pair, with the normalised texts they were computed on."""

    language: str
    normaliser: str
    reference: str
    hypothesis: str
    counts: tuple[Count, ...]

    @property
    def primary(self) -> Count:
        return self.counts[0]

    def count(self, metric: str) -> Count | None:
        return next((c for c in self.counts if c.metric == metric), None)


def metrics_for(language: str) -> tuple[str, ...]:
    """The metrics reported for a language, the primary one first."""
    if language == "ko":
        return ("cer", "swer")
    if language in CJK_LANGUAGES:
        return ("cer",)
    return ("wer",)


def score(reference: str, hypothesis: str, language: str) -> Score:
    """Normalise both texts for the language and count errors for each of its metrics."""
    ref = normalise(reference, language)
    hyp = normalise(hypothesis, language)
    counts = []
    for metric in metrics_for(language):
        if metric == "cer":
            counts.append(char_count(ref, hyp))
        elif metric == "swer":
            counts.append(word_count(ref, respace_like(ref, hyp), "swer"))
        else:
            counts.append(word_count(ref, hyp, "wer"))
    return Score(language, normaliser_for(language), ref, hyp, tuple(counts))


def word_count(ref: str, hyp: str, metric: str = "wer") -> Count:
    """Word edit operations between two normalised texts."""
    if not ref.split() and not hyp.split():
        return Count(metric, 0, 0, 0, 0)
    out = jiwer.process_words(ref, hyp)
    units = len(ref.split())
    return Count(metric, out.substitutions, out.deletions, out.insertions, units)


def char_count(ref: str, hyp: str) -> Count:
    """Character edit operations with all spaces removed."""
    ref_chars, hyp_chars = ref.replace(" ", ""), hyp.replace(" ", "")
    if not ref_chars and not hyp_chars:
        return Count("cer", 0, 0, 0, 0)
    if not ref_chars:
        return Count("cer", 0, 0, len(hyp_chars), 0)
    if not hyp_chars:
        return Count("cer", 0, len(ref_chars), 0, len(ref_chars))
    out = jiwer.process_characters(ref_chars, hyp_chars)
    return Count("cer", out.substitutions, out.deletions, out.insertions, len(ref_chars))


def _space_after(text: str) -> tuple[str, list[bool]]:
    """Characters without spaces, and whether a space followed each one."""
    chars: list[str] = []
    flags: list[bool] = []
    for ch in text:
        if ch == " ":
            if flags:
                flags[-1] = True
        else:
            chars.append(ch)
            flags.append(False)
    return "".join(chars), flags


def respace_like(ref: str, hyp: str) -> str:
    """The hypothesis with the reference's spacing wherever their characters align as equal."""
    ref_chars, ref_flags = _space_after(ref)
    hyp_chars, hyp_flags = _space_after(hyp)
    if not ref_chars or not hyp_chars:
        return hyp
    out = jiwer.process_characters(ref_chars, hyp_chars)
    for chunk in out.alignments[0]:
        if chunk.type != "equal":
            continue
        # Inside a matching run the gap after each character is the reference's; the gap at
        # the run's end borders an error, so the hypothesis keeps its own spacing there
        # (unless both texts end together).
        length = chunk.ref_end_idx - chunk.ref_start_idx
        both_end = chunk.ref_end_idx == len(ref_chars) and chunk.hyp_end_idx == len(hyp_chars)
        for offset in range(length if both_end else length - 1):
            hyp_flags[chunk.hyp_start_idx + offset] = ref_flags[chunk.ref_start_idx + offset]
    return "".join(
        ch + (" " if flag else "") for ch, flag in zip(hyp_chars, hyp_flags, strict=True)
    )


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A metric over many files: corpus rate (total errors / total units) and mean per file."""

    metric: str
    files: int
    errors: int
    reference_units: int
    substitutions: int
    deletions: int
    insertions: int
    mean_per_file: float

    @property
    def rate(self) -> float:
        if self.reference_units == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.reference_units


def aggregate(counts: Iterable[Count]) -> dict[str, Aggregate]:
    """Per-metric corpus figures for a set of per-file counts."""
    grouped: dict[str, list[Count]] = {}
    for count in counts:
        grouped.setdefault(count.metric, []).append(count)
    result = {}
    for metric, items in grouped.items():
        result[metric] = Aggregate(
            metric=metric,
            files=len(items),
            errors=sum(c.errors for c in items),
            reference_units=sum(c.reference_units for c in items),
            substitutions=sum(c.substitutions for c in items),
            deletions=sum(c.deletions for c in items),
            insertions=sum(c.insertions for c in items),
            mean_per_file=sum(c.rate for c in items) / len(items),
        )
    return result
