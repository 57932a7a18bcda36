"""Give large freed arrays back to the system (glibc), so a national run's peak is its data.

glibc serves an allocation above its « mmap threshold » with its own mapping, returned to
the system when freed, and the rest from its heap, which keeps freed memory. The threshold
starts at 128 KiB but rises with every large block freed, up to 32 MiB: after a few
temporaries, the 18 MB columns of a national grid (2.3 million cells × 8 bytes) come from the
heap and, once freed, stay in the process beside the next ones (about 1.4 GB more at the peak
of a national run). :func:`release_large_arrays` fixes the threshold at 4 MiB. Elsewhere than
glibc it does nothing.

A small run has the opposite need: its batches of draws make temporaries of a few tens of MB
again and again, and with the 4 MiB threshold each one is a new mapping whose pages the
system zeroes and maps anew (≈ 0.7 s of system time, a sixth of a 530-cell run).
:func:`arrays_kept` keeps them in the heap while its block runs, then restores the threshold.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from collections.abc import Callable, Iterator

__all__ = ["HEAP_KEPT", "MMAP_THRESHOLD", "arrays_kept", "release_large_arrays"]

#: Allocations from this size get their own mapping, given back when freed (bytes).
MMAP_THRESHOLD = 4 << 20
#: In :func:`arrays_kept`: allocations below this size come from the heap, and freed memory
#: stays there up to twice this size (bytes). Up to about 5,000 cells a batch holds at most
#: 320,000 draws × units (``evaluation.batch_size``): its temporaries (× indicators × 8
#: bytes) stay below it; the larger ones of bigger runs keep their own mappings.
HEAP_KEPT = 128 << 20
_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters
_M_MMAP_THRESHOLD = -3
_DEFAULT_TRIM = 128 << 10  # glibc's default trim threshold


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """Return the C library the interpreter runs on, when it has glibc's ``mallopt``."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError, TypeError):
        return None
    return libc


@functools.cache
def release_large_arrays() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (once); return whether it was set."""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


@contextlib.contextmanager
def arrays_kept(small: bool = True) -> Iterator[None]:
    """Keep freed arrays below :data:`HEAP_KEPT` in the heap while the block runs (``small``).

    On exit the mmap threshold is :data:`MMAP_THRESHOLD` (as after
    :func:`release_large_arrays`), the trim threshold glibc's default, and the heap's free
    memory is given back (``malloc_trim``). Does nothing when ``small`` is false or without
    glibc.
    """
    libc = _libc() if small else None
    if libc is None:
        yield
        return
    mallopt: Callable[[int, int], int] = libc.mallopt
    mallopt(_M_TRIM_THRESHOLD, 2 * HEAP_KEPT)
    mallopt(_M_MMAP_THRESHOLD, HEAP_KEPT)
    try:
        yield
    finally:
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM)
        libc.malloc_trim(0)
