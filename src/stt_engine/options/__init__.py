"""Request options: one table (``table.py``) of every option a transcription request takes,
and everything made from it: the request options object (``request.py``), the form parser,
the click options, the job JSON and a realtime session's fields.
"""

from stt_engine.options.option import TASKS, Option, Surface, Target, parse_bool
from stt_engine.options.request import (
    DEFAULT_TEMPERATURES,
    Task,
    TranscribeOptions,
    decode_options,
    from_form,
    session_options,
    subtitle_options,
    value,
)
from stt_engine.options.table import BY_NAME, MAX_SPEAKERS, OPTIONS, on

__all__ = [
    "BY_NAME",
    "DEFAULT_TEMPERATURES",
    "MAX_SPEAKERS",
    "OPTIONS",
    "TASKS",
    "Option",
    "Surface",
    "Target",
    "Task",
    "TranscribeOptions",
    "decode_options",
    "from_form",
    "on",
    "parse_bool",
    "session_options",
    "subtitle_options",
    "value",
]
