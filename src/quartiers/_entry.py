"""Console-script entry point: catches a Ctrl-C that comes while the CLI is still importing."""

from __future__ import annotations

import signal
import sys
import threading

__all__ = ["run"]

_INTERRUPTED = "Interrompu : rien n'a été modifié."


def run() -> None:
    """Run ``quartiers`` (exit code 130 and one French line on Ctrl-C during start-up)."""
    try:
        from quartiers.cli import main

        code = main()
    except KeyboardInterrupt:
        sys.stderr.write(_INTERRUPTED + "\n")
        code = 130
    if threading.current_thread() is threading.main_thread():
        # The work is done and its outcome said: a Ctrl-C while the interpreter shuts down
        # would only turn the exit code into « killed by SIGINT ».
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise SystemExit(code)
