"""The response formats (json, text, srt, verbose_json, vtt, tsv, diarized_json): media type,
extension, writer.

A diarized transcript carries a speaker on each segment: verbose_json lists it on segments and
words, text starts each speaker's run with ``[SPEAKER_1]``, srt each cue, and vtt opens each
cue with a WebVTT voice tag (``<v SPEAKER_1>``).

Subtitle lines wrap by display width: a Hangul, kana or Han character takes two columns, so
Korean, Japanese and Chinese lines are as wide on screen as Latin ones.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stt_engine.errors import InvalidRequestError
from stt_engine.languages import language_name
from stt_engine.transcript import Segment, TokenLogprob, Transcript, Word

if TYPE_CHECKING:
    from stt_engine.options import TranscribeOptions


@dataclass(frozen=True, slots=True)
class SubtitleOptions:
    max_line_width: int = 42  # display columns
    max_lines: int = 2  # lines per cue

    def __post_init__(self) -> None:
        if not 10 <= self.max_line_width <= 200:
            raise InvalidRequestError("max_line_width must be between 10 and 200")
        if not 1 <= self.max_lines <= 10:
            raise InvalidRequestError("max_lines must be between 1 and 10")


def render(transcript: Transcript, fmt: str, options: SubtitleOptions | None = None) -> str:
    """The transcript written in one response format."""
    found = FORMATS.get(fmt)
    if found is None:
        raise InvalidRequestError(
            f"unknown response_format '{fmt}': use one of {', '.join(FORMAT_NAMES)}",
            param="response_format",
        )
    return found.writer(transcript, options or SubtitleOptions())


def answer(
    transcript: Transcript,
    fmt: str,
    options: TranscribeOptions,
    subtitles: SubtitleOptions | None = None,
    *,
    segments: bool = True,
) -> str:
    """A transcription's answer body in ``fmt``: the rendered transcript, with OpenAI's extras
    (``openai_extras``) added to the json formats and, with ``segments=False``, verbose_json
    without its segments (``timestamp_granularities`` that do not ask for them)."""
    extras = openai_extras(transcript, options)
    if fmt == "verbose_json" and (extras or not segments):
        body = verbose_dict(transcript)
        if not segments:
            body.pop("segments", None)
        return json.dumps({**body, **extras}, ensure_ascii=False)
    if fmt == "json" and extras:
        return json.dumps({**json.loads(render(transcript, fmt)), **extras}, ensure_ascii=False)
    return render(transcript, fmt, subtitles)


def verbose_dict(transcript: Transcript) -> dict[str, object]:
    """OpenAI's verbose_json object."""
    info = transcript.info
    body: dict[str, object] = {
        "task": info.task,
        "language": language_name(info.language),
        "duration": round(info.duration, 3),
        "text": transcript.text,
        "segments": [_segment_dict(s) for s in transcript.segments],
    }
    if info.redact:
        body["redactions"] = redaction_counts(transcript)
    if any(s.words is not None for s in transcript.segments):
        body["words"] = [_word_dict(w) for w in transcript.words]
    return body


def diarized_dict(transcript: Transcript) -> dict[str, object]:
    """OpenAI's diarized_json object: the text, and segments with speaker, start, end, text."""
    return {
        "task": transcript.info.task,
        "duration": round(transcript.info.duration, 3),
        "text": transcript.text,
        "segments": [diarized_segment(s) for s in transcript.segments],
        "usage": {"type": "duration", "seconds": round(transcript.info.duration, 3)},
    }


def diarized_segment(segment: Segment) -> dict[str, object]:
    """A segment with its speaker, as diarized_json lists it and a stream sends it."""
    return {
        "type": "transcript.text.segment",
        "id": f"seg_{segment.id}",
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
        "text": segment.text.strip(),
        "speaker": segment.speaker or "unknown",
    }


def openai_extras(transcript: Transcript, options: TranscribeOptions) -> dict[str, object]:
    """What OpenAI's newer fields add to a json answer: the tokens' log-probabilities
    (``include[]=logprobs``) and the detected language (``languages``)."""
    extras: dict[str, object] = {}
    if options.logprobs:
        extras["logprobs"] = logprob_dicts(transcript.logprobs or ())
    if options.languages:
        extras["languages"] = [{"code": transcript.info.language}]
    return extras


def logprob_dicts(tokens: Iterable[TokenLogprob]) -> list[dict[str, object]]:
    """OpenAI's logprobs list: each token's text, log-probability and bytes."""
    return [{"token": t.token, "logprob": t.logprob, "bytes": list(t.bytes)} for t in tokens]


def _word_dict(word: Word) -> dict[str, object]:
    body: dict[str, object] = {
        "word": word.word,
        "start": round(word.start, 3),
        "end": round(word.end, 3),
    }
    if word.speaker is not None:
        body["speaker"] = word.speaker
    return body


def redaction_counts(transcript: Transcript) -> dict[str, int]:
    """Masked items by kind, every kind asked for listed (0 where none was found)."""
    found = transcript.redactions
    return {kind: found.get(kind, 0) for kind in transcript.info.redact}


def _segment_dict(segment: Segment) -> dict[str, object]:
    body: dict[str, object] = {
        "id": segment.id,
        "seek": segment.seek,
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
        "text": segment.text,
        "tokens": list(segment.tokens),
        "temperature": segment.temperature,
        "avg_logprob": segment.avg_logprob,
        "compression_ratio": segment.compression_ratio,
        "no_speech_prob": segment.no_speech_prob,
    }
    if segment.speaker is not None:
        body["speaker"] = segment.speaker
    return body


def _text(transcript: Transcript, _: SubtitleOptions) -> str:
    if not any(s.speaker for s in transcript.segments):
        return transcript.text + "\n"
    runs: list[tuple[str | None, str]] = []  # (speaker, text) of consecutive segments
    for segment in transcript.segments:
        if runs and runs[-1][0] == segment.speaker:
            runs[-1] = (segment.speaker, runs[-1][1] + segment.text)
        else:
            runs.append((segment.speaker, segment.text))
    return "".join(f"{_label(speaker)}{text.strip()}\n" for speaker, text in runs)


def _label(speaker: str | None) -> str:
    return f"[{speaker}] " if speaker else ""


def _diarized_json(transcript: Transcript, _: SubtitleOptions) -> str:
    return json.dumps(diarized_dict(transcript), ensure_ascii=False)


def _json(transcript: Transcript, _: SubtitleOptions) -> str:
    body: dict[str, object] = {"text": transcript.text}
    if transcript.info.redact:
        body["redactions"] = redaction_counts(transcript)
    return json.dumps(body, ensure_ascii=False)


def _verbose_json(transcript: Transcript, _: SubtitleOptions) -> str:
    return json.dumps(verbose_dict(transcript), ensure_ascii=False)


def _tsv(transcript: Transcript, _: SubtitleOptions) -> str:
    rows = ["start\tend\ttext"]
    for s in transcript.segments:
        text = s.text.strip().replace("\t", " ").replace("\n", " ")
        rows.append(f"{round(s.start * 1000)}\t{round(s.end * 1000)}\t{text}")
    return "\n".join(rows) + "\n"


def _srt(transcript: Transcript, options: SubtitleOptions) -> str:
    blocks = []
    for index, (start, end, lines, speaker) in enumerate(cues(transcript, options), start=1):
        stamp = f"{_stamp(start, ',')} --> {_stamp(end, ',')}"
        text = _label(speaker) + "\n".join(lines)
        blocks.append(f"{index}\n{stamp}\n{text}\n")
    return "\n".join(blocks)


def _vtt(transcript: Transcript, options: SubtitleOptions) -> str:
    blocks = ["WEBVTT\n"]
    for start, end, lines, speaker in cues(transcript, options):
        voice = f"<v {speaker}>" if speaker else ""
        text = voice + "\n".join(_vtt_escape(line) for line in lines)
        blocks.append(f"{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text}\n")
    return "\n".join(blocks)


def _vtt_escape(line: str) -> str:
    """Cue text as WebVTT reads it: &, < and > would start markup."""
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stamp(seconds: float, separator: str) -> str:
    millis = max(round(seconds * 1000), 0)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


@dataclass(frozen=True, slots=True)
class Format:
    media_type: str
    extension: str  # of a file in this format: <name>.<extension>
    writer: Callable[[Transcript, SubtitleOptions], str]


# OpenAI's response formats in OpenAI's order, then tsv
FORMATS: dict[str, Format] = {
    "json": Format("application/json", "json", _json),
    "text": Format("text/plain; charset=utf-8", "txt", _text),
    "srt": Format("application/x-subrip; charset=utf-8", "srt", _srt),
    "verbose_json": Format("application/json", "verbose.json", _verbose_json),
    "vtt": Format("text/vtt; charset=utf-8", "vtt", _vtt),
    "tsv": Format("text/tab-separated-values; charset=utf-8", "tsv", _tsv),
    "diarized_json": Format("application/json", "diarized.json", _diarized_json),
}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)


def display_width(text: str) -> int:
    """Columns a string takes on screen: wide (W) and fullwidth (F) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap by display width; words wider than a line break between characters."""
    lines: list[str] = []
    current = ""
    for unit, glue in _units(text.strip(), width):
        candidate = f"{current}{glue}{unit}" if current else unit
        if current and display_width(candidate) > width:
            lines.append(current)
            candidate = unit
        current = candidate
    if current:
        lines.append(current)
    return lines


def _units(text: str, width: int) -> list[tuple[str, str]]:
    """(piece, glue before it): words glued by a space, pieces of a long word by nothing."""
    units: list[tuple[str, str]] = []
    for word in text.split():
        if display_width(word) <= width:
            units.append((word, " "))
            continue
        piece, glue = "", " "
        for ch in word:
            if piece and display_width(piece + ch) > width:
                units.append((piece, glue))
                piece, glue = "", ""
            piece += ch
        units.append((piece, glue))
    return units


Cue = tuple[float, float, list[str], str | None]  # start, end, lines, speaker


def cues(transcript: Transcript, options: SubtitleOptions) -> list[Cue]:
    """Subtitle cues: each segment's wrapped lines, in groups of max_lines, timed by length.

    A speaker label takes room on the cue's first line, so a labelled segment wraps narrower.
    """
    result: list[Cue] = []
    for segment in transcript.segments:
        room = display_width(_label(segment.speaker))
        lines = wrap(segment.text, max(options.max_line_width - room, 10))
        if not lines:
            continue
        groups = [lines[i : i + options.max_lines] for i in range(0, len(lines), options.max_lines)]
        total = sum(display_width("".join(g)) for g in groups) or 1
        start = segment.start
        for group in groups:
            share = display_width("".join(group)) / total
            end = start + (segment.end - segment.start) * share
            result.append((start, end, group, segment.speaker))
            start = end
    return result
