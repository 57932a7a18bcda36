"""Keep freed memory in the process during a loop of large temporaries (glibc), then give it back.

glibc serves large allocations with their own mappings (all those of 4 MiB or more in a
diagnostic: :mod:`quartiers.diagnostic._memory`) and unmaps them when freed, so each new
temporary of the same size is mapped again and its pages are zeroed by the kernel on first
touch. The Monte Carlo draws of a national run allocate and free dozens of arrays of 18 to
130 MB per draw: those page faults were about 40 % of its CPU time. :func:`reused_heap` has
every allocation served from the heap and the heap kept while it runs, so the draws reuse the
same pages; at the end glibc's defaults for both settings come back and the freed heap is
given back to the system (``malloc_trim``). Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator
from typing import Any

__all__ = ["reused_heap"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
#: glibc's defaults: mappings allowed, heap top trimmed from 128 KiB free.
_DEFAULT_MMAP_MAX = 65536
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
#: While the heap is kept: trim only beyond this much free memory at its top (2 GiB, the
#: largest value ``mallopt`` takes).
_KEPT = 2**31 - 1


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


@contextlib.contextmanager
def reused_heap(enabled: bool = True) -> Iterator[bool]:
    """Serve every allocation from the heap and keep it until the block ends (glibc).

    Yields whether the settings were changed (False elsewhere than glibc, or when not
    ``enabled``). The numbers computed inside do not depend on it: only where the memory
    comes from. The peak resident memory may be a little higher (freed blocks are kept for
    reuse instead of unmapped).
    """
    libc = _libc() if enabled else None
    changed = False
    if libc is not None:
        applied = [libc.mallopt(_M_MMAP_MAX, 0), libc.mallopt(_M_TRIM_THRESHOLD, _KEPT)]
        changed = any(applied)
    try:
        yield changed
    finally:
        if libc is not None and changed:
            libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
            libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
            libc.malloc_trim(0)
