"""``quartiers.heap.reused_heap``: the draws' temporaries come from the kept heap, then glibc's
defaults come back and the freed heap is given back to the system (glibc only)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from quartiers.heap import reused_heap

_CODE = """
import ctypes
import numpy as np
from quartiers.heap import release_large_arrays
from quartiers.heap import reused_heap
libc = ctypes.CDLL(None)
libc.sbrk.restype = ctypes.c_void_p
assert release_large_arrays()  # as in a diagnostic: 4 MiB and more get their own mapping
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
def in_heap(arrays):
    brk = libc.sbrk(0)  # end of the heap: blocks below it come from the heap
    return sum(1 for a in arrays if a.ctypes.data < brk)
before = rss()
with reused_heap() as changed:
    keep = [np.ones(6 << 17) for _ in range(40)]  # 40 columns of 6 MiB
    inside = in_heap(keep)
    del keep
    kept = rss() - before  # freed but kept for the next draws
    again = [np.ones(6 << 17) for _ in range(40)]
    grown = rss() - before  # the same pages served again
    del again
after = [np.ones(6 << 17) for _ in range(4)]
print(changed, inside, in_heap(after), round(kept), round(grown), round(rss() - before))
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_the_heap_is_kept_inside_and_given_back_after() -> None:
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    changed, inside, after, kept, grown, end = out.stdout.split()
    assert changed == "True"
    assert int(inside) == 40  # every column from the heap, although above 4 MiB
    assert int(kept) > 200  # 240 MiB freed and kept: the next draw faults no new page
    assert int(grown) < int(kept) + 24  # reused, not allocated again
    assert int(after) == 0  # the diagnostic's own mappings come back
    assert int(end) < 48  # the freed heap went back to the system (4 new columns remain)


def test_disabled_changes_nothing() -> None:
    with reused_heap(enabled=False) as changed:
        assert changed is False


_NESTED = """
import ctypes
import numpy as np
from quartiers.heap import release_large_arrays, reused_heap
libc = ctypes.CDLL(None)
libc.sbrk.restype = ctypes.c_void_p
assert release_large_arrays()
def in_heap():
    block = np.ones(24 << 17)  # a 24 MiB temporary
    return int(block.ctypes.data < libc.sbrk(0))
seen = [in_heap()]
with reused_heap():
    with reused_heap():  # an evaluation inside the uncertainty step
        seen.append(in_heap())
    seen.append(in_heap())  # the inner block's end does not end the outer one
seen.append(in_heap())
print(*seen)
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_nested_blocks_keep_the_heap_until_the_outermost_ends() -> None:
    out = subprocess.run([sys.executable, "-c", _NESTED], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "1", "1", "0"]
