"""Token log-probabilities for a realtime session that asks for them
(``include: ["item.input_audio_transcription.logprobs"]``).

A decode's text carries its tokens (``DecodedText``); a delta is a stretch of a decode's
text, and gets the tokens that stretch covers.
"""

from __future__ import annotations

from stt_engine.transcript import TokenLogprob


class DecodedText(str):
    """A decode's text (stripped), with its text tokens' log-probabilities when asked for."""

    logprobs: tuple[TokenLogprob, ...] | None

    def __new__(cls, text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> DecodedText:
        made = super().__new__(cls, text)
        made.logprobs = logprobs
        return made


def logprobs_of(text: str) -> tuple[TokenLogprob, ...] | None:
    """The tokens a decode's text carries (None for plain text or when not asked for)."""
    return getattr(text, "logprobs", None)


def covering(tokens: tuple[TokenLogprob, ...], start: int, end: int) -> list[TokenLogprob]:
    """The tokens whose characters overlap ``[start, end)`` of the stripped text they spell
    (a character split over two tokens counts for both)."""
    spelled = b""
    spans: list[tuple[int, int]] = []
    for token in tokens:
        before = len(spelled.decode("utf-8", "ignore"))
        spelled += bytes(token.bytes)
        spans.append((before, len(spelled.decode("utf-8", "ignore"))))
    full = spelled.decode("utf-8", "ignore")
    lead = len(full) - len(full.lstrip())
    low, high = start + lead, end + lead
    return [t for t, (a, b) in zip(tokens, spans, strict=True) if a < high and max(b, a + 1) > low]


def delta_logprobs(text: str, confirmed: str, delta: str) -> list[dict[str, object]] | None:
    """OpenAI's logprobs list for a delta that ends the confirmed text, from the decode that
    confirmed it; None when the decode carries none."""
    tokens = logprobs_of(text)
    if tokens is None:
        return None
    end = len(confirmed)
    return as_dicts(covering(tokens, max(end - len(delta), 0), end))


def as_dicts(tokens: tuple[TokenLogprob, ...] | list[TokenLogprob]) -> list[dict[str, object]]:
    return [{"token": t.token, "logprob": t.logprob, "bytes": list(t.bytes)} for t in tokens]
