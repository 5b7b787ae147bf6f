"""A run in this process: one engine, files decoded window by window as they go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stt_engine.audio import AudioStream
from stt_engine.batch.driver import Driver
from stt_engine.batch.inputs import Item
from stt_engine.batch.work import BatchSpec, Outcome, failed, transcribe_item
from stt_engine.config import Settings
from stt_engine.errors import SttError

if TYPE_CHECKING:
    from stt_engine.engine import Engine
    from stt_engine.engine.prepared import Prepared


def run_local(driver: Driver, spec: BatchSpec, settings: Settings) -> None:
    """Transcribe every pending item of the driver, in order, the bar moving as each goes."""
    from stt_engine.engine import Engine

    engine = Engine(settings)
    try:
        # an unknown model or vocabulary fails once, before any file
        prepared = engine.prepare(spec.model, spec.decode, paths=True)
        driver.start()
        for item in driver.pending:
            driver.finish(_one(engine, item, spec, prepared, driver))
    finally:
        engine.close()


def _one(
    engine: Engine, item: Item, spec: BatchSpec, prepared: Prepared, driver: Driver
) -> Outcome:
    try:
        stream = AudioStream(item.source, prepared.limits)
    except SttError as exc:
        return failed(item, exc.message, exc.hint)
    return transcribe_item(engine, item, stream, spec, prepared, driver.progress_of(item))
