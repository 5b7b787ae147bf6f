"""The driver side of a run: what is left to do (resume), writing results, progress, tally.

``stt-engine batch`` and ``stt-engine transcribe`` both run through a ``Driver``. Both runners
(in-process and Ray) hand each finished item to ``Driver.finish``, which alone writes outputs
and the manifest: an item finished twice in one run (a retried Ray task) is written once.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from stt_engine.batch.inputs import Item
from stt_engine.batch.outputs import Layout, Manifest, Stdout
from stt_engine.batch.work import BatchSpec, Outcome

BAR_FORMAT = "{l_bar}{bar}| {n:.0f}/{total:.0f} s audio [{elapsed}<{remaining}]"


@dataclass
class Tally:
    total: int = 0  # items named by the inputs
    skipped: int = 0  # finished by an earlier run
    ok: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        wall = time.monotonic() - self.started
        rtfx = self.audio_seconds / wall if wall > 0 else 0.0
        return (
            f"files: {self.total} ({self.ok} transcribed, {self.skipped} already done, "
            f"{self.failed} failed); audio: {self.audio_seconds / 3600:.3f} h; "
            f"wall: {wall:.1f} s; RTFx: {rtfx:.1f}"
        )


class Driver:
    """Owns the outputs of one run: skips, writes, counts and shows progress in audio seconds.

    ``out`` None prints the one format of the one item to stdout. ``manifest`` keeps
    ``results.jsonl`` in ``out`` (batch). ``resume`` skips what an earlier run finished: with a
    manifest, an item whose line says ok and whose outputs all exist; without one (transcribe
    --resume), an item whose outputs all exist and are not empty. Each write is reported on
    stderr (``done: FILE -> OUTPUTS`` or ``failed: FILE: WHY (HINT)``).
    """

    def __init__(
        self,
        items: list[Item],
        out: Path | None,
        spec: BatchSpec,
        progress: bool = True,
        *,
        manifest: bool = True,
        resume: bool = True,
    ):
        self.out = out
        self.sink = Stdout(spec.formats[0]) if out is None else Layout(out, spec.formats)
        self.manifest = Manifest(out) if manifest and out is not None else None
        self.resume = resume
        self.tally = Tally(total=len(items))
        done = {i.key for i in items if self._finished(i)}
        self.pending = [i for i in items if i.key not in done]
        self.skipped = [i for i in items if i.key in done]
        self.tally.skipped = len(self.skipped)
        self._progress = progress
        self._bar: tqdm | None = None
        self._counted: dict[str, float] = {}  # audio seconds shown on the bar, per item
        self._written: set[str] = set()

    def _finished(self, item: Item) -> bool:
        if not self.resume:
            return False
        if self.manifest is not None:
            return self.manifest.done(item.key) and self.sink.complete(item.key)
        return self.sink.complete(item.key, nonempty=True)

    @property
    def bar(self) -> tqdm:
        """The progress bar over the pending items' audio seconds, shown from first use."""
        if self._bar is None:
            from stt_engine.audio import probe_seconds

            total = sum(probe_seconds(i.source) for i in self.pending)
            disable = not self._progress or None  # None: only on a terminal
            self._bar = tqdm(
                total=round(total, 1), unit="s", disable=disable, file=sys.stderr,
                bar_format=BAR_FORMAT,
            )  # fmt: skip
        return self._bar

    def start(self) -> None:
        """Show the bar now (before the first item ends)."""
        self.bar.refresh()

    def progress_of(self, item: Item) -> Callable[[float], None]:
        """A callback taking the audio seconds of ``item`` done so far."""
        return lambda seconds: self.advance(item.key, seconds)

    def advance(self, key: str, seconds: float) -> None:
        """Show an item's audio seconds done so far on the bar (never past its total)."""
        gained = seconds - self._counted.get(key, 0.0)
        if gained > 0:
            self._counted[key] = seconds
            left = (self.bar.total or 0.0) - self.bar.n
            self.bar.update(max(0.0, min(gained, left)))

    def finish(self, outcome: Outcome) -> None:
        """Write one item's outputs, then its manifest line (once per item and run)."""
        record = outcome.record
        if record.key in self._written:
            return
        self._written.add(record.key)
        if record.status == "ok":
            if self.out is None:
                self.bar.clear()  # the transcript goes to stdout, maybe the same terminal
            record = replace(record, outputs=self.sink.write(record.key, outcome.rendered))
            self.tally.ok += 1
            self.tally.audio_seconds += record.duration or 0.0
            self.advance(record.key, record.duration or 0.0)
            if self.out is not None:
                written = ", ".join(str(self.out / name) for name in record.outputs)
                self.bar.write(f"done: {record.file} -> {written}", file=sys.stderr)
        else:
            self.tally.failed += 1
            hint = f" ({outcome.hint})" if outcome.hint else ""
            self.bar.write(f"failed: {record.file}: {record.error}{hint}", file=sys.stderr)
        if self.manifest is not None:
            self.manifest.add(record)

    def close(self) -> str:
        """Close the bar and the manifest; the summary line."""
        if self._bar is not None:
            self._bar.close()
        if self.manifest is not None:
            self.manifest.close()
        return self.tally.summary()
