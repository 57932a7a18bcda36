"""Whether a core is free for a forked copy of this process (Linux load average).

The 1-minute load average counts the processes running or waiting, this one included: a
national run that has computed for two minutes on one core holds it near 1.0 by itself, so
« load ≤ cores − 1 » alone would find no free core on an idle two-core machine.
:func:`other_load` removes this process's own share first.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

__all__ = ["other_load", "own_load"]

#: Time constant of the 1-minute load average (s).
_LOAD_WINDOW_S = 60.0


def own_load() -> float:
    """Return this process's estimated share of the 1-minute load average (0 to 1).

    Its CPU time over its life (at most one core: the load counts it once however many
    threads ran), weighted by how much of the average's window its life covers. 0 when
    ``/proc`` cannot tell.
    """
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    elapsed = uptime - started
    if elapsed <= 0:
        return 0.0
    busy = min(1.0, time.process_time() / elapsed)
    return busy * (1.0 - math.exp(-elapsed / _LOAD_WINDOW_S))


def other_load() -> float:
    """Return the 1-minute load average without this process's own share."""
    return max(0.0, os.getloadavg()[0] - own_load())
