"""Give large freed arrays back to the system (glibc), so a national run's peak is its data.

glibc serves an allocation above its « mmap threshold » with its own mapping, returned to
the system when freed, and the rest from its heap, which keeps freed memory. The threshold
starts at 128 KiB but rises with every large block freed, up to 32 MiB: after a few
temporaries, the 18 MB columns of a national grid (2.3 million cells × 8 bytes) come from the
heap and, once freed, stay in the process beside the next ones (about 1.4 GB more at the peak
of a national run). :func:`release_large_arrays` fixes the threshold at 4 MiB. Elsewhere than
glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import functools

__all__ = ["MMAP_THRESHOLD", "release_large_arrays"]

#: Allocations from this size get their own mapping, given back when freed (bytes).
MMAP_THRESHOLD = 4 << 20
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


@functools.cache
def release_large_arrays() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (once); return whether it was set."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
