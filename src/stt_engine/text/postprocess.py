"""Post-processing of decoded text, in one place for every output, job and stream.

Order: vocabulary fixes (known misrecognitions), then ``numbers=digits``, then masking,
then ``numbers=spoken``: numbers are in digits when masking looks at them (a phone number
read out in Hangul is formatted, then masked), and a masked number is never read out.
Segment text and timed words get the same edits; a segment records what it masked, by
kind, never the masked text.

Streams call ``postprocess(text, post)`` on each piece of text (or ``postprocess_segment``
on each segment) before sending it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, overload

from stt_engine.text import itn, redact
from stt_engine.text.edits import Edit, rewrite_text, rewrite_words
from stt_engine.text.vocabulary import Vocabulary
from stt_engine.transcript import Segment, Transcript

if TYPE_CHECKING:
    from stt_engine.config import Settings

Find = Callable[[Sequence[str]], list[Edit]]


@dataclass(frozen=True, slots=True)
class PostProcess:
    numbers: str = "keep"  # keep, digits or spoken
    masking: redact.Masking = redact.NO_MASKING
    vocabulary: Vocabulary | None = None
    language: str = ""  # for numbers=spoken: "ko" or "en" reading

    @property
    def active(self) -> bool:
        replacements = self.vocabulary is not None and bool(self.vocabulary.replacements)
        return replacements or self.numbers != "keep" or bool(self.masking.kinds)

    def stages(self, language: str) -> list[Find]:
        found: list[Find] = []
        if self.vocabulary is not None and self.vocabulary.replacements:
            found.append(self.vocabulary.edits)
        if self.numbers == "digits":
            found.append(itn.to_digits)
        if self.masking.kinds:
            masking = replace(self.masking, english=language == "en")
            found.append(lambda tokens: redact.find(tokens, masking))
        if self.numbers == "spoken":
            spoken = self.language or language
            found.append(lambda tokens: itn.to_spoken(tokens, spoken))
        return found


def postprocess_segment(segment: Segment, post: PostProcess, language: str = "") -> Segment:
    """The segment with its text and words rewritten, and what was masked counted."""
    if not post.active:
        return segment
    text, words = segment.text, segment.words
    counts: Counter[str] = Counter()
    for find in post.stages(language):
        text, edits = rewrite_text(text, find)
        counts.update(edit.kind for edit in edits if edit.kind in redact.KINDS)
        if words is not None:
            words = rewrite_words(words, find)
    # a masked segment's tokens would give back what was masked: its log-probabilities go
    logprobs = () if counts and segment.logprobs is not None else segment.logprobs
    redactions = tuple(sorted(counts.items()))
    return replace(segment, text=text, words=words, redactions=redactions, logprobs=logprobs)


@overload
def postprocess(item: str, post: PostProcess, language: str = "") -> str: ...
@overload
def postprocess(item: Transcript, post: PostProcess, language: str = "") -> Transcript: ...
def postprocess(item: str | Transcript, post: PostProcess, language: str = "") -> str | Transcript:
    """Text or a whole transcript post-processed (``language`` guides numbers=spoken)."""
    if isinstance(item, str):
        segment = Segment(id=0, seek=0, start=0.0, end=0.0, text=item)
        return postprocess_segment(segment, post, language).text
    written = language or ("en" if item.info.task == "translate" else item.language)
    segments = tuple(postprocess_segment(s, post, written) for s in item.segments)
    return replace(item, segments=segments)


def plan(
    numbers: str,
    redact_kinds: str | None,
    vocabulary: Vocabulary | None,
    settings: Settings,
) -> PostProcess:
    """What to do after decoding: ``redact_kinds`` None takes the server's default."""
    kinds = redact.parse_kinds(settings.redact if redact_kinds is None else redact_kinds)
    masking = redact.Masking(kinds, stars=settings.redact_placeholder == "stars")
    return PostProcess(numbers=numbers, masking=masking, vocabulary=vocabulary)


def processed(
    segments: Iterator[Segment],
    post: PostProcess,
    language: str,
    seen: Callable[[Segment], None],
) -> Iterator[Segment]:
    """Segments post-processed as they come; ``seen`` gets each (to count what was masked)."""
    try:
        for segment in segments:
            done = postprocess_segment(segment, post, language)
            seen(done)
            yield done
    finally:
        close = getattr(segments, "close", None)
        if close is not None:
            close()
