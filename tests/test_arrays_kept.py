"""A small run's batch temporaries stay in the heap while its draws are evaluated (issue 14).

``arrays_kept`` raises glibc's mmap threshold for its block only: inside, freed blocks of a
few tens of MB are reused from the heap (no new pages to zero); after it, large arrays get
their own mappings again, given back when freed (``release_large_arrays``, national runs).
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

_PROBE = """
import ctypes
import numpy as np
from quartiers.diagnostic._memory import arrays_kept, release_large_arrays
libc = ctypes.CDLL(None)
libc.sbrk.restype = ctypes.c_void_p
release_large_arrays()
def in_heap():
    block = np.ones(24 << 17)  # a 24 MiB temporary
    return int(block.ctypes.data < libc.sbrk(0))  # below the end of the heap: from the heap
before = in_heap()
with arrays_kept({small}):
    inside = [in_heap() for _ in range(3)]
after = in_heap()
print(before, *inside, after)
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
@pytest.mark.parametrize(("small", "expected"), [(True, "0 1 1 1 0"), (False, "0 0 0 0 0")])
def test_arrays_kept_in_the_heap_inside_the_block_only(small: bool, expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(small=small)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
