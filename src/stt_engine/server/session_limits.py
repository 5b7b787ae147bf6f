"""Why a live session is refused or closed, and the limits checked after each client message.

A refusal or a close is an ``error`` event in OpenAI's shape and then a close frame with a
code: 1000 for the idle and total time limits, 1008 for what the client does wrong (a bad key
or query, audio sent faster than it is transcribed, events left unread), 1013 for what may
pass (the session cap, a model still loading).
"""

from __future__ import annotations

from stt_engine.config import Settings
from stt_engine.realtime.outbox import Problem
from stt_engine.realtime.session import Session
from stt_engine.server.outgoing import Outgoing

NORMAL, POLICY, TRY_LATER = 1000, 1008, 1013


class Refused(Exception):
    """The session is refused or closed: ``problem`` says why, ``close_code`` ends it."""

    def __init__(self, problem: Problem, close_code: int):
        super().__init__(problem.message)
        self.problem, self.close_code = problem, close_code


def check_limits(session: Session, out: Outgoing, settings: Settings) -> None:
    """Raise Refused (1008) for a client that outpaces transcription or stops reading."""
    if out.overflowed:
        message = (
            f"the client is not reading its events: more than {out.limit} wait to be sent; "
            "read the events as they come"
        )
        raise Refused(Problem(message, "client_not_reading"), POLICY)
    limit = settings.realtime_max_backlog_seconds
    backlog = session.stream.backlog_seconds
    if backlog > limit:
        message = (
            f"audio arrives faster than it is transcribed: {backlog:.0f} s wait for their "
            f"transcripts, more than the {limit:.0f} s allowed; send audio at real time"
        )
        raise Refused(Problem(message, "audio_backlog_full"), POLICY)
