"""Quartiers en transition: heat-wave vulnerability diagnostic of French priority neighbourhoods."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quartiers")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
