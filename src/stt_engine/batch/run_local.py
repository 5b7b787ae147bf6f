"""A batch run in this process: one engine, files decoded window by window as they go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stt_engine.audio import AudioStream
from stt_engine.batch.driver import Driver
from stt_engine.batch.inputs import Item
from stt_engine.batch.work import BatchJob, Outcome, failed, transcribe_item
from stt_engine.config import Settings
from stt_engine.errors import SttError

if TYPE_CHECKING:
    from stt_engine.engine import Engine


def run_local(driver: Driver, job: BatchJob, settings: Settings) -> None:
    """Transcribe every pending item of the driver, in order."""
    from stt_engine.engine import Engine

    engine = Engine(settings)
    engine.registry.resolve(job.model)  # an unknown model fails once, before any file
    try:
        for item in driver.pending:
            driver.finish(_one(engine, item, job))
    finally:
        engine.close()


def _one(engine: Engine, item: Item, job: BatchJob) -> Outcome:
    try:
        stream = AudioStream(item.source, engine.limits())
    except SttError as exc:
        return failed(item, exc.message)
    return transcribe_item(engine, item, stream, job)
