"""One item transcribed: what every worker runs, in this process or in a Ray actor."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stt_engine.batch.outputs import Record
from stt_engine.errors import SttError
from stt_engine.formats import SubtitleOptions, render

if TYPE_CHECKING:
    import numpy as np

    from stt_engine.audio import AudioStream
    from stt_engine.batch.inputs import Item
    from stt_engine.engine import Engine
    from stt_engine.engine.prepared import Prepared
    from stt_engine.options import TranscribeOptions


@dataclass(frozen=True)
class BatchSpec:
    """What every item of a run gets: the formats written and the decoding options (picklable)."""

    formats: tuple[str, ...]
    decode: TranscribeOptions
    subtitles: SubtitleOptions
    model: str | None = None


@dataclass(frozen=True)
class Outcome:
    """An item's manifest record and, when it succeeded, the text of each format."""

    record: Record
    rendered: dict[str, str]
    hint: str | None = None  # what to do about a failure (not in the manifest)


def transcribe_item(
    engine: Engine,
    item: Item,
    audio: np.ndarray | AudioStream,
    spec: BatchSpec,
    prepared: Prepared,
    progress: Callable[[float], None] | None = None,
) -> Outcome:
    """Transcribe decoded samples or a stream for the run's request (prepared once per
    engine); any error becomes an error record.

    ``progress`` gets the audio seconds done so far, as the transcript grows.
    """
    started = time.monotonic()
    try:
        transcript = engine.transcribe_all(audio, prepared, progress=progress)
        rendered = {f: render(transcript, f, spec.subtitles) for f in spec.formats}
    except SttError as exc:
        return failed(item, exc.message, exc.hint)
    except Exception as exc:  # one file's bug must not stop the run; it is reported as failed
        return failed(item, f"internal error: {type(exc).__name__}: {exc}")
    record = Record(
        file=str(item.source),
        key=item.key,
        status="ok",
        duration=round(transcript.info.duration, 3),
        language=transcript.info.language,
        seconds=round(time.monotonic() - started, 3),
    )
    return Outcome(record, rendered)


def failed(item: Item, message: str, hint: str | None = None) -> Outcome:
    record = Record(file=str(item.source), key=item.key, status="error", error=message)
    return Outcome(record, {}, hint)
