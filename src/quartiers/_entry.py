"""Console-script entry point: catches a Ctrl-C that comes while the CLI is still importing."""

from __future__ import annotations

import sys

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
    raise SystemExit(code)
