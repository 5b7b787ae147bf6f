"""Progress bars for downloads, hashing and packing (tqdm on stderr), or none."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol

Advance = Callable[[int], None]


class ProgressFactory(Protocol):
    """``with progress(label, total_bytes) as advance: advance(n)``."""

    def __call__(
        self, label: str, total: int | None
    ) -> contextlib.AbstractContextManager[Advance]: ...


@contextlib.contextmanager
def tqdm_bar(label: str, total: int | None) -> Iterator[Advance]:
    from tqdm import tqdm

    with tqdm(
        total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024, leave=False
    ) as bar:

        def advance(count: int) -> None:
            bar.update(count)

        yield advance


@contextlib.contextmanager
def no_bar(label: str, total: int | None) -> Iterator[Advance]:
    yield lambda _n: None
