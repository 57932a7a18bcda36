"""The result of a diagnostic run: :class:`Diagnostic` (cells, QPV, zones, tables, ``run.json``).

Built by :func:`quartiers.diagnostic.run.run_diagnostic`; writes and reads its output directory
through :mod:`quartiers.diagnostic.run_files`. Web, report and actions read only a
:class:`Diagnostic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from quartiers.access.network import WalkNetwork
from quartiers.diagnostic import run_files as _run_io
from quartiers.diagnostic._indicator_memo import IndicatorMemo
from quartiers.diagnostic.basemap import read_basemap, write_basemap
from quartiers.diagnostic.record import RunRecord, record_from_mapping
from quartiers.spatial.overlaps import Overlaps

__all__ = ["Diagnostic"]


@dataclass
class Diagnostic:
    """Result of a diagnostic run (all layers EPSG:3035).

    Attributes
    ----------
    cells
        One row per 200 m cell: counts, indicators, dimension scores, index, quintile.
    qpv
        One row per QPV: counts, indicators, index, rank, gaps and ratios to the rest of
        its commune and EPCI (the content of ``qpv.csv`` plus geometry).
    zones
        QPV, rest-of-commune and rest-of-EPCI zones with their counts and indicators.
    climate
        Climate indicators per commune and horizon (long table).
    indicators
        The indicator registry as a table, with availability and effective weights.
    run
        Everything needed to trace and rerun, as the plain dict written to ``run.json``
        (built by the pipeline; read it through :attr:`record`).
    hotspots
        Cells in high-high clusters of the index (local Moran's I), or None when not run.
    overlaps, network, access, memo
        The costly intermediates of the run (overlap weights, street network, walking
        access per cell, indicator steps when a memo was given), kept in memory so that a
        what-if passes them back to :func:`quartiers.diagnose`.
    """

    cells: gpd.GeoDataFrame
    qpv: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    climate: pd.DataFrame
    indicators: pd.DataFrame
    run: dict[str, Any] = field(default_factory=dict)
    hotspots: gpd.GeoDataFrame | None = None
    #: Overlap weights of the run (in memory only; None when read back from a folder).
    overlaps: Overlaps | None = field(default=None, repr=False, compare=False)
    #: Pedestrian network the walking access was computed on (in memory only).
    network: WalkNetwork | None = field(default=None, repr=False, compare=False)
    #: Walking access per cell the run used (in memory only; its summaries are in ``cells``).
    access: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: Indicator steps of the run, for a what-if's rerun (in memory only; None unless asked).
    memo: IndicatorMemo | None = field(default=None, repr=False, compare=False)
    #: Offline background map (:mod:`quartiers.diagnostic.basemap`, EPSG:3035), or None.
    basemap: gpd.GeoDataFrame | None = field(default=None, repr=False, compare=False)
    #: The dict :attr:`record` was validated from, and its record (see :attr:`record`).
    _record: tuple[dict[str, Any], RunRecord] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def record(self) -> RunRecord:
        """Return ``run.json`` as a typed, read-only :class:`~quartiers.diagnostic.RunRecord`.

        Validated from :attr:`run` once per object and kept (a national ``run.json``, 28 MB,
        takes most of a second to validate); assigning another dict to :attr:`run`, or
        ``dataclasses.replace(diag, run=…)``, validates again. Change the dict by replacing
        it, not in place after a first read. A malformed dict raises a French
        :class:`InputError` (at each access: nothing is kept).
        """
        cached = self._record
        if cached is None or cached[0] is not self.run:
            cached = (self.run, record_from_mapping(self.run))
            self._record = cached
        return cached[1]

    def qpv_table(self) -> pd.DataFrame:
        """Return the QPV table without geometry (the content of ``qpv.csv``)."""
        return pd.DataFrame(self.qpv.drop(columns="geometry"))

    def dictionary(self) -> pd.DataFrame:
        """Return the data dictionary of every published column (``dictionnaire.csv``)."""
        return _run_io.dictionary(self)

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write the output directory and return the files written.

        Writes ``diagnostic.gpkg`` (layers ``cells``, ``qpv``, ``zones``), ``cells.parquet``,
        ``qpv.parquet``, ``zones.parquet`` (GeoParquet), ``qpv.csv``, ``dictionnaire.csv``
        and ``run.json`` (with the SHA-256 of the other files), then the background map
        folder ``fond_de_carte/`` when :attr:`basemap` is set (not hashed in ``run.json``).
        """
        paths = _run_io.write(self, Path(out_dir))
        if self.basemap is not None:
            paths.update(write_basemap(self.basemap, Path(out_dir)))
        return paths

    @classmethod
    def load(cls, out_dir: Path) -> Diagnostic:
        """Read a diagnostic written by :meth:`write`."""
        cells, qpv, zones, climate, indicators, run = _run_io.read(Path(out_dir))
        return cls(
            cells=cells,
            qpv=qpv,
            zones=zones,
            climate=climate,
            indicators=indicators,
            run=run,
            hotspots=_run_io.read_hotspots(Path(out_dir)),
            basemap=read_basemap(Path(out_dir)),
        )
