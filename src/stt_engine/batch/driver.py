"""The driver side of a batch run: what is left to do, writing results, progress, summary.

Both runners (in-process and Ray) hand each finished item to ``Driver.finish``, which alone
writes outputs and the manifest: an item finished twice in one run (a retried Ray task) is
written once.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from stt_engine.batch.inputs import Item
from stt_engine.batch.outputs import Layout, Manifest
from stt_engine.batch.work import BatchJob, Outcome


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
    """Owns the output folder of one run: skips, writes, counts and shows progress.

    Each write is reported on stderr (``done: FILE -> OUTPUTS`` or ``failed: FILE: WHY``).
    """

    def __init__(self, items: list[Item], out: Path, job: BatchJob, progress: bool = True):
        self.layout = Layout(out, job.formats)
        self.manifest = Manifest(out)
        self.tally = Tally(total=len(items))
        self.pending = [i for i in items if not self._finished(i)]
        self.tally.skipped = len(items) - len(self.pending)
        self._written: set[str] = set()
        self.bar = tqdm(
            total=round(self._declared_seconds(), 1),
            unit="s",
            disable=not progress or None,
            file=sys.stderr,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s audio [{elapsed}<{remaining}]",
        )

    def _finished(self, item: Item) -> bool:
        return self.manifest.done(item.key) and self.layout.complete(item.key)

    def _declared_seconds(self) -> float:
        from stt_engine.audio import probe_seconds

        return sum(probe_seconds(i.source) for i in self.pending)

    def finish(self, outcome: Outcome) -> None:
        """Write one item's outputs, then its manifest line (once per item and run)."""
        record = outcome.record
        if record.key in self._written:
            return
        self._written.add(record.key)
        if record.status == "ok":
            record = replace(record, outputs=self.layout.write(record.key, outcome.rendered))
            self.tally.ok += 1
            self.tally.audio_seconds += record.duration or 0.0
            left = (self.bar.total or 0.0) - self.bar.n
            self.bar.update(min(record.duration or 0.0, left))
            self.bar.write(f"done: {record.file} -> {', '.join(record.outputs)}", file=sys.stderr)
        else:
            self.tally.failed += 1
            self.bar.write(f"failed: {record.file}: {record.error}", file=sys.stderr)
        self.manifest.add(record)

    def close(self) -> str:
        """Close the bar and the manifest; the summary line."""
        self.bar.close()
        self.manifest.close()
        return self.tally.summary()
