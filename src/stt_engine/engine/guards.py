"""Filters for Whisper's known failure modes that decoding thresholds do not catch.

- Hallucinated stock phrases over silence or noise ("시청해주셔서 감사합니다",
  "MBC 뉴스 ...입니다", "Thanks for watching"): a segment made only of such a phrase is dropped
  when the audio under it is near-silent or the model itself thought it was not speech.
- Repetition loops: inside a segment that is already suspicious (compression ratio over the
  threshold), a phrase repeated four or more times in a row is kept once; a segment whose text
  repeats the previous two segments exactly is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.transcript import Segment

_PHRASES = (
    r"시청해\s*주셔서\s*감사합니다",
    r"시청\s*해\s*주셔서\s*고맙습니다",
    r"mbc\s*뉴스\s*\S{2,5}입니다",
    r"kbs\s*뉴스\s*\S{2,5}입니다",
    r"sbs\s*뉴스\s*\S{2,5}입니다",
    r"구독과\s*좋아요\s*(부탁드립니다|눌러주세요)?",
    r"(한국어\s*)?자막\s*제공\s*\S*",
    r"다음\s*영상에서\s*만나요",
    r"thanks?\s*(you)?\s*for\s*watching",
    r"please\s*subscribe(\s*to\s*(my|our)\s*channel)?",
    r"subtitles\s*by\s*the\s*amara\.org\s*community",
    r"ご視聴ありがとうございました",
    r"请不吝点赞\s*订阅\s*转发\s*打赏支持明镜与点点栏目",
)
_PHRASE_RE = re.compile(r"^(?:" + "|".join(_PHRASES) + r")$", re.IGNORECASE)
_LOOP_RE = re.compile(r"(.{1,40}?)(?:[\s,.、，。]*\1){3,}", re.DOTALL)
SILENCE_RMS = 0.003  # about -50 dBFS
SUSPECT_NO_SPEECH = 0.3


def is_stock_phrase(text: str) -> bool:
    cleaned = unicodedata.normalize("NFKC", text).strip().strip(".!?。！？~ ").lower()
    return bool(_PHRASE_RE.match(cleaned))


def collapse_loops(text: str) -> str:
    """Keep one copy of any phrase repeated four or more times in a row."""
    return _LOOP_RE.sub(r"\1", text)


def segment_rms(audio: np.ndarray, start: float, end: float) -> float:
    lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
    span = audio[max(lo, 0) : max(hi, lo + 1)]
    if span.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(span, dtype=np.float64))))


def guard_segments(
    segments: Iterable[Segment],
    audio: np.ndarray,
    compression_ratio_threshold: float | None,
) -> Iterator[Segment]:
    """Apply the filters lazily, renumbering the kept segments."""
    recent: list[str] = []
    kept = 0
    for segment in segments:
        if _hallucinated(segment, audio):
            continue
        text = segment.text
        if compression_ratio_threshold and segment.compression_ratio > compression_ratio_threshold:
            text = collapse_loops(text)
        key = text.strip()
        if len(recent) == 2 and all(r == key for r in recent) and key:
            continue
        recent = [*recent[-1:], key]
        yield _replace(segment, kept, text)
        kept += 1


def _hallucinated(segment: Segment, audio: np.ndarray) -> bool:
    if not is_stock_phrase(segment.text):
        return False
    if segment.no_speech_prob >= SUSPECT_NO_SPEECH:
        return True
    return segment_rms(audio, segment.start, segment.end) < SILENCE_RMS


def _replace(segment: Segment, new_id: int, text: str) -> Segment:
    from dataclasses import replace

    if new_id == segment.id and text == segment.text:
        return segment
    return replace(segment, id=new_id, text=text)
