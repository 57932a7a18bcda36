"""What runs the independent parts of a run: the :class:`Executor` protocol, and this process.

:data:`SERIAL` computes the parts one after another in this process, the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["SERIAL", "Executor", "SerialExecutor"]

R = TypeVar("R")


class Executor(Protocol):
    """Runs one function over independent parts and returns the results in their order."""

    @property
    def workers(self) -> int:
        """Number of workers computing at once (1 in this process)."""
        ...

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Return ``[fn(item, **shared) for item in items]`` (``shared`` sent once per worker)."""
        ...


class SerialExecutor:
    """Computes the parts one after another in this process (no Dask)."""

    @property
    def workers(self) -> int:
        """One: this process."""
        return 1

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Return ``[fn(item, **shared) for item in items]``."""
        return [fn(item, **shared) for item in items]


#: The default executor: this process, one part after another.
SERIAL = SerialExecutor()
