"""Where large arrays come from (glibc): given back when freed, or kept for the next draw.

glibc serves an allocation above its « mmap threshold » with its own mapping, returned to
the system when freed, and the rest from its heap, which keeps freed memory. The threshold
starts at 128 KiB but rises with every large block freed, up to 32 MiB: after a few
temporaries, the 18 MB columns of a national grid (2.3 million cells × 8 bytes) would come
from the heap and, once freed, stay in the process beside the next ones (about 1.4 GB more at
the peak of a national run). :func:`release_large_arrays` fixes the threshold at 4 MiB for
the whole diagnostic.

The Monte Carlo and Sobol draws have the opposite need: they allocate and free the same
temporaries again and again (tens of MB in a town, 18 to 130 MB per draw nationally), and
with their own mappings the kernel zeroes and maps their pages anew each time (about 40 % of
a national draw's CPU time, a sixth of a 530-cell run). So do, once each, the reading of the
Filosofi CSV (block after block), the zones and overlaps and the cell indicators.
:func:`reused_heap` has every allocation served from the heap and the heap kept while such a
step runs, so it reuses the same pages; at the end glibc's defaults come back, the threshold
stays as set, and the freed heap is given back to the system (``malloc_trim``). The index and
layers, where a national run peaks, are not in a kept heap. Elsewhere than glibc both do
nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["MMAP_THRESHOLD", "release_large_arrays", "reused_heap"]

#: Allocations from this size get their own mapping, given back when freed (bytes).
MMAP_THRESHOLD = 4 << 20
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4
#: glibc's defaults: mappings allowed, heap top trimmed from 128 KiB free.
_DEFAULT_MMAP_MAX = 65536
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
#: While the heap is kept: trim only beyond this much free memory at its top (2 GiB, the
#: largest value ``mallopt`` takes).
_KEPT = 2**31 - 1


@functools.cache
def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(None)  # the C library the interpreter runs on
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return libc


@functools.cache
def release_large_arrays() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (once); return whether it was set."""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


#: How many :func:`reused_heap` blocks are open in this process (only the outermost acts).
_open_blocks = [0]
_lock = threading.Lock()


@contextlib.contextmanager
def reused_heap(enabled: bool = True) -> Iterator[bool]:
    """Serve every allocation from the heap and keep it until the block ends (glibc).

    Yields whether the heap is kept inside (False elsewhere than glibc, or when not
    ``enabled``). Blocks nest: only the outermost one changes and restores the settings, so
    the evaluations inside one diagnostic's uncertainty step share the same kept pages. The
    numbers computed inside do not depend on it: only where the memory comes from. The peak
    resident memory may be a little higher (freed blocks are kept for reuse, not unmapped).
    """
    libc = _libc() if enabled else None
    if libc is None:
        yield False
        return
    with _lock:
        outermost = _open_blocks[0] == 0
        _open_blocks[0] += 1
        if outermost:
            libc.mallopt(_M_MMAP_MAX, 0)
            libc.mallopt(_M_TRIM_THRESHOLD, _KEPT)
    try:
        yield True
    finally:
        with _lock:
            _open_blocks[0] -= 1
            if _open_blocks[0] == 0:
                libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
                libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)
