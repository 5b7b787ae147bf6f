"""A request made ready once, the running transcription's handle, and the one consume loop.

``Engine.prepare`` turns a model name and the request options into a ``Prepared``: every
entry point (HTTP route, job intake and worker, realtime session, CLI, batch, the Python
API) calls it once, and everything a transcription needs that does not depend on the audio
is fixed there. ``Engine.transcribe`` returns a ``Transcription``: its info at once, its
segments lazily, the model held until it is exhausted or closed. ``collect`` is the one loop
that reads it to the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from types import TracebackType

import numpy as np

from stt_engine.audio import AudioLimits, AudioStream
from stt_engine.models import ModelInfo
from stt_engine.options import TranscribeOptions
from stt_engine.text.postprocess import PostProcess
from stt_engine.transcript import Segment, Transcript, TranscriptionInfo


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a request will be transcribed with, resolved and checked once.

    ``options`` are those decoded with: diarization turns on word times (a segment is split
    where the speaker changes inside it) and the vocabulary's hotwords join the request's.
    ``words_asked`` remembers whether the client asked for word times itself.
    """

    model: ModelInfo
    options: TranscribeOptions
    post: PostProcess
    limits: AudioLimits
    words_asked: bool
    voices: tuple[np.ndarray, ...] = ()  # known speakers' references, decoded and checked

    def with_options(self, **changes: object) -> Prepared:
        """The same request decoded differently (a live partial pass decodes greedily)."""
        return replace(self, options=replace(self.options, **changes))  # type: ignore[arg-type]


class Transcription(Iterator[Segment]):
    """A transcription under way: ``info`` at once, segments as they are decoded.

    The model stays held until the segments are exhausted, an error is raised while
    iterating, ``close()`` is called (or the ``with`` block ends) or, as a last resort, the
    handle is collected. A plain generator that is never started never runs its ``finally``;
    this handle releases the model on each of those paths.
    """

    def __init__(
        self,
        segments: Iterator[Segment],
        info: TranscriptionInfo,
        release: Callable[[], None],
        audio: AudioStream | None = None,
    ):
        self._segments = segments
        self._info = info
        self._release: Callable[[], None] | None = release
        self._audio = audio

    @property
    def info(self) -> TranscriptionInfo:
        """The summary; its duration is the decoded length once a stream was read to the end."""
        decoded = self._audio.decoded_seconds if self._audio is not None else None
        return self._info if decoded is None else replace(self._info, duration=decoded)

    def __next__(self) -> Segment:
        if self._release is None:
            raise StopIteration
        try:
            return next(self._segments)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            close = getattr(self._segments, "close", None)
            if close is not None:
                close()
            release()

    def __enter__(self) -> Transcription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def collect(
    transcription: Transcription, each: Callable[[Segment], None] | None = None
) -> Transcript:
    """Read a transcription to the end; ``each`` sees every segment as it comes (it may raise
    to stop: the model is released either way)."""
    collected: list[Segment] = []
    with transcription:
        for segment in transcription:
            collected.append(segment)
            if each is not None:
                each(segment)
    return Transcript(info=transcription.info, segments=tuple(collected))
