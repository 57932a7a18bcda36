"""Quartiers en transition: heat-wave vulnerability diagnostic of French priority neighbourhoods.

The public Python API::

    import quartiers

    diag = quartiers.diagnose("85191", sources={"filosofi": "carreaux.csv", ...})
    diag.qpv            # one row per QPV (GeoDataFrame, EPSG:3035)
    diag.write("sortie")
    same = quartiers.read("sortie")
    v1 = quartiers.Method.load("v1")

Names are imported on first use, so ``import quartiers`` stays light (the command line
starts without pandas or geopandas).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from quartiers.version import __version__

if TYPE_CHECKING:
    from quartiers.diagnostic import Diagnostic, RobustnessOptions
    from quartiers.diagnostic.pipeline import diagnose
    from quartiers.method.spec import Method

__all__ = ["Diagnostic", "Method", "RobustnessOptions", "__version__", "diagnose", "read"]

_LAZY = {
    "Diagnostic": "quartiers.diagnostic",
    "RobustnessOptions": "quartiers.diagnostic",
    "Method": "quartiers.method.spec",
    "diagnose": "quartiers.diagnostic.pipeline",
}


def read(directory: str | Path) -> Diagnostic:
    """Read a diagnostic output directory written by :meth:`Diagnostic.write`.

    Parameters
    ----------
    directory
        Folder holding ``run.json``, ``diagnostic.gpkg``/``*.parquet`` and ``qpv.csv``.

    Raises
    ------
    quartiers.errors.InputError
        The folder is not a diagnostic output (French message naming the missing file).
    """
    from quartiers.diagnostic import Diagnostic

    return Diagnostic.load(Path(directory))


def __getattr__(name: str) -> Any:
    """Import the public names on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'quartiers' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
