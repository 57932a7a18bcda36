"""Progress reporting seam: library code reports steps, only the CLI draws bars."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

__all__ = ["NullProgress", "Progress", "track"]

T = TypeVar("T")


class Progress(Protocol):
    """Receives progress of long steps (labels are French, shown to users)."""

    def start(self, label: str, total: float | None = None) -> None:
        """Begin a step; ``total`` in its own unit (bytes, cells, draws) or None if unknown."""

    def advance(self, amount: float = 1.0) -> None:
        """Move the current step forward."""

    def finish(self) -> None:
        """End the current step."""


class NullProgress:
    """Progress that shows nothing (library default, tests)."""

    def start(self, label: str, total: float | None = None) -> None:
        """Ignore the start of a step."""

    def advance(self, amount: float = 1.0) -> None:
        """Ignore progress."""

    def finish(self) -> None:
        """Ignore the end of a step."""


def track(
    items: Iterable[T], label: str, progress: Progress, total: int | None = None
) -> Iterator[T]:
    """Yield ``items`` while reporting one unit of progress per item."""
    progress.start(label, total)
    try:
        for item in items:
            yield item
            progress.advance(1)
    finally:
        progress.finish()
