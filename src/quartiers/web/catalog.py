"""Diagnostics served by the web app, loaded once at startup with their WGS84 copies.

A :class:`TerritoryData` wraps one :class:`~quartiers.diagnostic.Diagnostic` (EPSG:3035) with
what the pages and the API need again and again: the layers reprojected to WGS84 (EPSG:4326),
cell bounding boxes, commune names, the mappable quantities and legends. Territories are keyed
by their code (INSEE commune code or EPCI SIREN, from ``run.json``); QPV by ``code_qp`` within
their territory (two territories may share a QPV, a commune and its EPCI for instance).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic import Diagnostic, RunRecord
from quartiers.errors import InputError, NotFoundError
from quartiers.outputs.classes import Legend
from quartiers.outputs.legends import (
    climate_lookup,
    legend_at,
    mappable_quantities,
    population_weights,
)
from quartiers.outputs.quantities import UNCERTAINTY_COLUMNS, IndicatorInfo
from quartiers.schemas import HORIZONS, BBox
from quartiers.web.bounds import WGS84, bounds_of, cells_box

__all__ = ["WGS84", "Catalog", "TerritoryData", "load_territory"]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

#: Optional extra layers read next to the diagnostic files when present (GeoParquet).
OPTIONAL_LAYERS = ("hotspots", "places")


def _optional_layer(diag: Diagnostic, directory: Path, name: str) -> gpd.GeoDataFrame | None:
    """Return an optional layer (attribute of the diagnostic or ``<name>.parquet``) in WGS84."""
    layer = getattr(diag, name, None)
    path = directory / f"{name}.parquet"
    if layer is None and path.is_file():
        try:
            layer = gpd.read_parquet(path)
        except (OSError, ValueError) as exc:
            logger.warning("%s : couche illisible, ignorée (%s)", path, exc)
            return None
    if not isinstance(layer, gpd.GeoDataFrame) or not len(layer) or layer.crs is None:
        return None
    return layer.to_crs(WGS84)


@dataclass
class TerritoryData:
    """One loaded diagnostic and its cached derived data (see module docstring).

    Attributes
    ----------
    code, name
        Territory code and French name (from ``run.json``).
    directory
        The diagnostic output directory (downloads are read from it).
    diagnostic
        The diagnostic as loaded (layers in EPSG:3035).
    cells, qpv
        The ``cells`` and ``qpv`` layers reprojected to WGS84, same row order.
    cell_bounds
        ``(n, 4)`` lon/lat bounds of every cell.
    bbox
        Bounds of all cells and QPV (WGS84).
    communes
        INSEE code → commune name.
    indicators
        Mappable quantities keyed by column (index first).
    horizon
        Climate horizon the diagnostic (and its index) was computed at.
    hotspots, places
        Optional layers (WGS84) when the diagnostic directory holds them.
    """

    code: str
    name: str
    directory: Path
    diagnostic: Diagnostic
    qpv: gpd.GeoDataFrame
    bbox: BBox
    communes: dict[str, str]
    indicators: dict[str, IndicatorInfo]
    horizon: str
    hotspots: gpd.GeoDataFrame | None = None
    places: gpd.GeoDataFrame | None = None
    _climate: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict, repr=False)
    _legends: dict[tuple[str, str], Legend] = field(default_factory=dict, repr=False)
    _cell_communes: tuple[NDArray[np.intp], list[str]] | None = field(default=None, repr=False)
    _qpv_climate: dict[tuple[str, str], FloatArray] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # ------------------------------------------------------------------ cells

    @property
    def cell_table(self) -> gpd.GeoDataFrame:
        """Return the cells as loaded (EPSG:3035): the rows and attributes of :attr:`cells`.

        For what needs the cells' values, not their WGS84 geometry (legends, tiles, counts).
        """
        return self.diagnostic.cells

    @property
    def cells(self) -> gpd.GeoDataFrame:
        """Return the cells reprojected to WGS84, same row order (made at the first use).

        A national diagnostic's 2.3 million cells take tens of seconds to reproject: the
        pages of a tiled territory never need them, the GeoJSON and OGC answers do.
        """
        return cast(gpd.GeoDataFrame, self._locked("cells", self._cells_wgs84))

    @property
    def cell_bounds(self) -> FloatArray:
        """Return the ``(n, 4)`` lon/lat bounds of every cell (made at the first use)."""
        return cast(FloatArray, self._locked("cell_bounds", lambda: bounds_of(self.cells)))

    def _cells_wgs84(self) -> gpd.GeoDataFrame:
        return self.diagnostic.cells.to_crs(WGS84)

    def _locked(self, key: str, make: Callable[[], Any]) -> Any:
        found = self._memo.get(key)
        if found is None:
            with self._lock:
                found = self._memo.get(key)
                if found is None:
                    found = self._memo[key] = make()
        return found

    # ------------------------------------------------------------------ lookups

    @property
    def record(self) -> RunRecord:
        """Return ``run.json`` of the diagnostic, typed (:class:`RunRecord`), validated once.

        (:attr:`Diagnostic.record` keeps it: a national ``run.json``, 28 MB, takes most of a
        second to validate, which every page would pay.)
        """
        return self.diagnostic.record

    @property
    def qpv_codes(self) -> list[str]:
        """Return the QPV codes in table order."""
        return [str(c) for c in self.qpv["code_qp"]]

    @property
    def has_uncertainty(self) -> bool:
        """Tell whether the QPV layer carries the rank interval of the uncertainty analysis."""
        return bool(self.once("has_uncertainty", self._has_uncertainty))

    def _has_uncertainty(self) -> bool:
        return {"rank_low", "rank_high"} <= set(self.qpv.columns) and bool(
            pd.to_numeric(self.qpv["rank_low"], errors="coerce").notna().any()
        )

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """Return ``make()``, computed at the first call for ``key`` and kept.

        For facts of the QPV layer that every QPV's payload repeats (the served diagnostic
        does not change); concurrent first calls may both compute it, the same value.
        """
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def uncertainty_columns(self) -> list[str]:
        """Return the uncertainty columns present in the QPV layer."""
        return [c for c in UNCERTAINTY_COLUMNS if c in self.qpv.columns]

    def qpv_position(self, code_qp: str) -> int:
        """Return the row of a QPV, or raise :class:`NotFoundError` (French message)."""
        codes = self.qpv_codes
        if code_qp not in codes:
            raise NotFoundError(
                f"QPV inconnu dans le territoire {self.code} : {code_qp} "
                f"(QPV du territoire : {', '.join(codes) or 'aucun'})"
            )
        return codes.index(code_qp)

    def commune_label(self, codes: str) -> str:
        """Return the names of comma-separated INSEE codes (« Nom (code) »)."""
        parts = [c for c in str(codes).split(",") if c]
        return ", ".join(f"{self.communes.get(c, c)} ({c})" for c in parts)

    def available(self, indicator: str) -> bool:
        """Tell whether a mappable quantity has values in this diagnostic."""
        info = self.indicators.get(indicator)
        return bool(info and info.available)

    # ------------------------------------------------------------------ values

    def climate_value(self, indicator: str, horizon: str, insee_com: str) -> float:
        """Return a commune's climate value at a horizon (NaN when absent)."""
        return self._climate.get((indicator, horizon), {}).get(insee_com, np.nan)

    def values(self, indicator: str, horizon: str | None = None) -> tuple[FloatArray, FloatArray]:
        """Return the values of a quantity for the cells and the QPV at a horizon.

        Non-climate quantities do not depend on the horizon. A climate indicator at the
        diagnostic's own horizon is the published column; at another horizon, cells take their
        commune's value and a QPV the mean of its communes' values.
        """
        return self._cell_values(indicator, horizon), self.qpv_values(indicator, horizon)

    def _info(self, indicator: str) -> IndicatorInfo:
        info = self.indicators.get(indicator)
        if info is None:
            raise NotFoundError(f"indicateur inconnu : {indicator}")
        return info

    def _cell_values(self, indicator: str, horizon: str | None) -> FloatArray:
        horizon = horizon or self.horizon
        if self._info(indicator).climate and horizon != self.horizon:
            table = self._climate.get((indicator, horizon), {})
            if self._cell_communes is None:  # once: 2.3 million cells at national size
                codes, uniques = pd.factorize(self.cell_table["insee_com"])
                self._cell_communes = (np.asarray(codes), [str(u) for u in uniques])
            codes, uniques = self._cell_communes
            lookup = np.array([table.get(u, np.nan) for u in uniques] + [np.nan], dtype="float64")
            return np.asarray(lookup[codes], dtype="float64")  # code -1 (missing): NaN
        cells = self.cell_table
        if indicator not in cells.columns:
            return np.full(len(cells), np.nan)
        column = pd.to_numeric(cells[indicator], errors="coerce")
        return np.asarray(column.to_numpy("float64", na_value=np.nan), dtype="float64")

    def qpv_values(self, indicator: str, horizon: str | None = None) -> FloatArray:
        """Return the values of a quantity for the QPV at a horizon (see :meth:`values`)."""
        horizon = horizon or self.horizon
        if self._info(indicator).climate and horizon != self.horizon:
            key = (indicator, horizon)
            if key not in self._qpv_climate:  # once per quantity and horizon
                table = self._climate.get(key, {})
                self._qpv_climate[key] = np.array(
                    [_mean_of(table, str(codes).split(",")) for codes in self.qpv["insee_coms"]],
                    dtype="float64",
                )
            return self._qpv_climate[key].copy()
        if indicator not in self.qpv.columns:
            return np.full(len(self.qpv), np.nan)
        column = pd.to_numeric(self.qpv[indicator], errors="coerce")
        return np.asarray(column.to_numpy("float64", na_value=np.nan), dtype="float64")

    def legend(self, indicator: str, horizon: str | None = None) -> Legend:
        """Return (and cache) the legend of a quantity at a horizon."""
        horizon = horizon or self.horizon
        info = self.indicators.get(indicator)
        if info is None:
            raise NotFoundError(f"indicateur inconnu : {indicator}")
        key = (indicator, horizon if info.climate else self.horizon)
        if key not in self._legends:
            cells, _ = self.values(indicator, horizon)
            self._legends[key] = legend_at(
                info,
                cells,
                population_weights(self.cell_table),
                horizon=key[1],
                climate=self._climate,
            )
        return self._legends[key]

    def climate_horizons(self) -> list[str]:
        """Return the horizons present in the climate table, in :data:`HORIZONS` order."""
        present = {h for (_, h) in self._climate}
        return [h for h in HORIZONS if h in present]


def _mean_of(table: dict[str, float], codes: list[str]) -> float:
    """Return the mean of the communes' values, NaN ignored (as ``numpy.nanmean``)."""
    values = [table[c] for c in codes if c in table and table[c] == table[c]]
    return sum(values) / len(values) if values else np.nan


def _communes(diag: Diagnostic, record: RunRecord) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in record.coverage:
        if row.insee_com:
            names[row.insee_com] = row.nom or row.insee_com
    if len(diag.climate) and {"insee_com", "nom"} <= set(diag.climate.columns):
        for code, nom in zip(diag.climate["insee_com"], diag.climate["nom"], strict=True):
            names.setdefault(str(code), str(nom))
    return names


def load_territory(directory: Path) -> TerritoryData:
    """Load a diagnostic output directory and prepare it for serving.

    Raises
    ------
    InputError
        Not a diagnostic directory (French message naming the missing files).
    """
    directory = Path(directory)
    diag = Diagnostic.load(directory)
    record = diag.record
    code = record.territory.code or directory.name
    name = record.territory.name or code
    qpv = diag.qpv.to_crs(WGS84)
    all_bounds = np.vstack([cells_box(diag.cells), qpv.geometry.bounds.to_numpy(dtype="float64")])
    bbox = (
        float(np.nanmin(all_bounds[:, 0])),
        float(np.nanmin(all_bounds[:, 1])),
        float(np.nanmax(all_bounds[:, 2])),
        float(np.nanmax(all_bounds[:, 3])),
    )
    climate = climate_lookup(diag.climate)
    infos = mappable_quantities(diag, climate)
    horizon = record.horizon.id or "ref"
    data = TerritoryData(
        code=code,
        name=name,
        directory=directory,
        diagnostic=diag,
        qpv=qpv.reset_index(drop=True),
        bbox=bbox,
        communes=_communes(diag, record),
        indicators=infos,
        horizon=horizon,
        hotspots=_optional_layer(diag, directory, "hotspots"),
        places=_optional_layer(diag, directory, "places"),
        _climate=climate,
    )
    # Legends of every available quantity at every horizon are computed once, here.
    for ind, info in infos.items():
        if info.available:
            for hz in data.climate_horizons() if info.climate else [horizon]:
                data.legend(ind, hz)
    logger.info(
        "diagnostic chargé : %s (%s), %d carreaux, %d QPV", name, code, len(diag.cells), len(qpv)
    )
    return data


@dataclass
class Catalog:
    """The territories served, in the order their directories were given."""

    territories: dict[str, TerritoryData]

    @classmethod
    def load(cls, directories: Iterable[Path]) -> Catalog:
        """Load every diagnostic directory (each territory code once).

        Raises
        ------
        InputError
            No directory, a directory that is not a diagnostic, or two directories of the
            same territory.
        """
        territories: dict[str, TerritoryData] = {}
        for directory in directories:
            data = load_territory(Path(directory))
            if data.code in territories:
                raise InputError(
                    f"{directory} : territoire {data.code} déjà chargé depuis "
                    f"{territories[data.code].directory} (un dossier par territoire attendu)"
                )
            territories[data.code] = data
        if not territories:
            raise InputError("aucun dossier de diagnostic donné (attendu au moins un dossier)")
        return cls(territories)

    def get(self, code: str) -> TerritoryData:
        """Return a territory, or raise :class:`NotFoundError` with a French message."""
        try:
            return self.territories[code]
        except KeyError:
            known = ", ".join(self.territories)
            raise NotFoundError(
                f"territoire inconnu : {code} (territoires chargés : {known})"
            ) from None

    def __iter__(self) -> Any:
        return iter(self.territories.values())

    def __len__(self) -> int:
        return len(self.territories)
