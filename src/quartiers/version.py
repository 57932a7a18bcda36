"""The installed version of the package (a leaf: any layer may import it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("quartiers")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"
