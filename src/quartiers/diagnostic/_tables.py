"""Output layers of a diagnostic (private to :mod:`quartiers.diagnostic._assemble`).

Builds the ``cells``, ``qpv`` and ``zones`` layers from the scored arrays. The indicator and
climate tables, the grid coverage and the per-cell commune and QPV are in
:mod:`quartiers.diagnostic._side_tables`; writing and reading the output directory is in
:mod:`quartiers.diagnostic.run_files`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic._index_label import RowState, incomplete_detail, index_label, index_note
from quartiers.indicators.base import safe_ratio
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.method.rank import classify
from quartiers.spatial.grid import CELL_CRS, cell_boxes

if TYPE_CHECKING:
    from quartiers.diagnostic._cell_indicators import CellIndicators
    from quartiers.diagnostic.aggregate import ZoneTotals
    from quartiers.diagnostic.scoring import Scored
    from quartiers.method.completeness import Completeness
    from quartiers.method.composite import CompiledMethod
    from quartiers.method.spec import Method

__all__ = ["Tables"]

FloatArray = NDArray[np.float64]
NOT_SIGNIFICANT = "non significatif"
INCOMPLETE = "incomplet"
OK = "ok"


def _indicator_columns(values: FloatArray, ids: Sequence[str]) -> dict[str, FloatArray]:
    """Return one column per registry indicator (NaN for those not computed)."""
    n = values.shape[0]
    pos = {i: j for j, i in enumerate(ids)}
    return {i: values[:, pos[i]] if i in pos else np.full(n, np.nan) for i in REGISTRY}


def _shared_columns(values: FloatArray, ids: Sequence[str]) -> dict[str, Any]:
    """Return :func:`_indicator_columns` with one shared, copy-on-write empty column."""
    pos = {i: j for j, i in enumerate(ids)}
    empty = pd.Series(np.full(values.shape[0], np.nan), copy=False)
    return {i: values[:, pos[i]] if i in pos else empty for i in REGISTRY}


def _int_array(values: FloatArray) -> pd.arrays.IntegerArray:
    """Return ``values`` as nullable integers (NaN → missing), like ``pd.array(..., "Int64")``."""
    missing = ~np.isfinite(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


@dataclass
class Tables:
    """Builds the output layers from computed arrays."""

    ids: tuple[str, ...]
    compiled: CompiledMethod
    missing: dict[str, str]
    method: Method
    completeness: Completeness | None = None

    def _dimension_words(self, mask: NDArray[np.bool_]) -> list[str]:
        """Return per row the dimensions it lacks, comma-separated ('' for none)."""
        dims = np.asarray(self.compiled.dimension_ids, dtype=object)
        return [", ".join(dims[row]) for row in mask]

    def _cell_status(
        self,
        mask: NDArray[np.bool_] | None,
        incomplete: NDArray[np.bool_],
        small: NDArray[np.bool_],
    ) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
        """Return the cells' ``status`` and ``status_detail`` (object arrays of shared texts).

        The same texts as one per row, built once per distinct pattern of lacking
        dimensions: millions of cells share a handful of them.
        """
        n = len(small)
        floor = self.method.cell_population_floor
        status = np.asarray([NOT_SIGNIFICANT, INCOMPLETE, OK], dtype=object)[
            np.where(small, 0, np.where(incomplete, 1, 2))
        ]
        texts, pattern = [""], np.zeros(n, dtype=np.int64)
        if mask is not None and n:
            rows, inverse = _unique_rows(mask & incomplete[:, None])
            words = self._dimension_words(rows)
            texts = [
                f"indice incomplet (dimension absente : {w}) : pas d'indice pour ce carreau"
                if w
                else ""
                for w in words
            ]
            pattern = inverse.reshape(-1)
        texts.append(f"moins de {floor:g} habitants : pas d'indice pour ce carreau")
        detail = np.asarray(texts, dtype=object)[np.where(small, len(texts) - 1, pattern)]
        return status, detail

    def _excluded(self, mask: NDArray[np.bool_] | None, n: int) -> NDArray[np.bool_]:
        """Return the rows left out of ranks and quintiles (``exclude``; none otherwise)."""
        if mask is None or self.completeness is None or self.completeness.impute:
            return np.zeros(n, dtype=bool)
        return np.asarray(mask.any(axis=1), dtype=bool)

    def _scores(self, scores: FloatArray) -> dict[str, FloatArray]:
        n = scores.shape[0]
        out = {}
        for dim in DIMENSIONS:
            col = f"score_{dim}"
            if dim in self.compiled.dimension_ids:
                out[col] = scores[:, self.compiled.dimension_ids.index(dim)]
            else:
                out[col] = np.full(n, np.nan)
        return out

    def _row_notes(self, published: FloatArray, scores: FloatArray) -> tuple[list[str], list[str]]:
        """Return per row the dimensions used and the method indicators missing."""
        dims = np.asarray(self.compiled.dimension_ids, dtype=object)
        used = [", ".join(dims[np.isfinite(row)]) for row in scores]
        in_index = [self.ids.index(i) for i in self.compiled.indicator_ids]
        names = np.asarray(self.compiled.indicator_ids, dtype=object)
        dropped = list(self.compiled.dropped)
        missing = [", ".join([*names[~np.isfinite(row[in_index])], *dropped]) for row in published]
        return used, missing

    def cells_frame(
        self,
        cells: pd.DataFrame,
        xy: NDArray[np.int64],
        scored: Scored,
        small: NDArray[np.bool_],
        breaks: FloatArray,
        computed: CellIndicators,
        cell_commune: NDArray[np.object_],
        cell_qpv: tuple[NDArray[np.object_], FloatArray],
        squares: NDArray[np.object_] | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the ``cells`` layer (``squares``: the cells' geometries, built when None).

        The columns are not gathered into one block: the layer holds the scored arrays
        themselves, and the indicators not computed share one empty column (copied on
        write), so a national grid of 2.3 million cells is not copied whole.
        """
        pop = cells["ind"].to_numpy(dtype="float64")
        mask = None if self.completeness is None else self.completeness.cells
        incomplete = self._excluded(mask, len(pop)) & ~small
        status, detail = self._cell_status(mask, incomplete, small)
        data: dict[str, Any] = {
            "idcar_200m": cells["idcar_200m"].astype("string").to_numpy(),
            "x_sw": xy[:, 0],
            "y_sw": xy[:, 1],
            "imputed": cells["imputed"].to_numpy(dtype=bool),
            "insee_com": pd.array(cell_commune, dtype="string"),
            "code_qp": pd.array(cell_qpv[0], dtype="string"),
            "qpv_share": cell_qpv[1],
            "population": pop,
            "households": cells["men"].to_numpy(dtype="float64"),
            "poor_households": cells["men_pauv"].to_numpy(dtype="float64"),
            **_shared_columns(scored.values, self.ids),
            **computed.extra,
            **self._scores(scored.scores),
            "index": scored.index,
            **scored.hazard,
            "quintile": _int_array(_classes(scored.index, breaks)),
            "status": status,
            "status_detail": detail,
        }
        frame = pd.DataFrame(data, copy=False)
        geometry = cell_boxes(xy) if squares is None else squares
        # copy=False: geopandas copies (and consolidates) a DataFrame by default, ≈ 1 GB
        # and seconds for a national grid; copy-on-write protects the shared arrays.
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=CELL_CRS, copy=False)

    def zones_frame(
        self,
        zones: gpd.GeoDataFrame,
        totals: ZoneTotals,
        scored: Scored,
        breaks: FloatArray,
        access_summary: Mapping[str, FloatArray],
        states: Sequence[RowState],
    ) -> gpd.GeoDataFrame:
        """Return the ``zones`` layer (QPV, rest of commune, rest of EPCI)."""
        pop = totals.population
        small = ~(pop >= self.method.population_floor)
        used, missing = self._row_notes(scored.values, scored.scores)
        mask = (
            np.zeros((len(pop), 0), dtype=bool)
            if self.completeness is None
            else self.completeness.zones
        )
        excluded = self._excluded(mask, len(pop))
        lacking = self._dimension_words(mask)
        detail = self._zone_details(pop, missing, lacking, excluded, states)
        status = np.where(small, NOT_SIGNIFICANT, np.where(excluded, INCOMPLETE, OK))
        quintile = _classes(scored.index, breaks)
        quintile[excluded] = np.nan
        labels = [index_label(st, self.compiled.dimension_ids) for st in states]
        notes = [index_note(st) for st in states]
        data: dict[str, Any] = {
            "zone_id": zones["zone_id"].to_numpy(),
            "zone_type": zones["zone_type"].to_numpy(),
            "code": zones["code"].to_numpy(),
            "label": zones["label"].to_numpy(),
            "insee_com": zones["insee_com"].to_numpy(),
            "siren_epci": zones["siren_epci"].to_numpy(),
            "status": status,
            "status_detail": detail,
            "population": pop,
            "households": totals.households,
            "poor_households": totals.poor_households,
            "imputed_population_share": safe_ratio(totals.imputed_population, pop),
            "reference_population": zones["reference_population"].to_numpy(dtype="float64"),
            **_indicator_columns(scored.values, self.ids),
            **access_summary,
            **self._scores(scored.scores),
            "index": scored.index,
            **scored.hazard,
            "quintile": pd.array(_as_int(quintile), dtype="Int64"),
            "index_label": labels,
            "index_note": notes,
            "index_dimensions": used,
            "missing_dimensions": lacking,
            "missing_indicators": missing,
        }
        frame = pd.DataFrame(data)
        for col in ("zone_id", "zone_type", "code", "label", "insee_com", "siren_epci"):
            frame[col] = frame[col].astype("string")
        return gpd.GeoDataFrame(frame, geometry=zones.geometry.to_numpy(), crs=CELL_CRS)

    def _zone_details(
        self,
        pop: FloatArray,
        missing: Sequence[str],
        lacking: Sequence[str],
        excluded: NDArray[np.bool_],
        states: Sequence[RowState],
    ) -> list[str]:
        """Return each zone's ``status_detail``: population floor, missing values, dimensions."""
        floor = self.method.population_floor
        detail = [
            _zone_detail(p, floor, m, self.missing) for p, m in zip(pop, missing, strict=True)
        ]
        fill = {} if self.completeness is None else self._fill()
        for r, words in enumerate(lacking):
            if words:
                text = incomplete_detail(
                    words.split(", "), states[r], imputed=not excluded[r], fill=fill
                )
                floor_note = _zone_detail(float(pop[r]), floor, "", self.missing)
                detail[r] = f"{floor_note} ; {text}" if floor_note else text
        return detail

    def _fill(self) -> dict[str, float]:
        """Return the imputed score of each dimension (empty with ``exclude``)."""
        c = self.completeness
        if c is None or not c.impute:
            return {}
        return {d: float(v) for d, v in zip(c.dimension_ids, c.fill, strict=True)}

    def qpv_frame(
        self,
        qpv_zones: gpd.GeoDataFrame,
        ranks: FloatArray,
        comparisons: Mapping[str, ZoneTotals],
        compared: Mapping[str, Scored],
    ) -> gpd.GeoDataFrame:
        """Return the ``qpv`` layer: QPV rows with rank, gaps and ratios to their rests."""
        q = qpv_zones
        coms = q["insee_com"].astype("string")
        head = pd.DataFrame(
            {
                "code_qp": q["code"],
                "lib_qp": q["label"],
                "insee_com": coms.str.split(",").str[0].astype("string"),
                "insee_coms": coms,
                "siren_epci": q["siren_epci"],
            }
        )
        body = q.drop(
            columns=[
                "zone_id", "zone_type", "code", "label", "insee_com", "siren_epci",
                "reference_population", "geometry",
            ]
        )  # fmt: skip
        rank = pd.array(_as_int(ranks), dtype="Int64")
        body.insert(body.columns.get_loc("quintile"), "rank", rank)
        parts = [head, body]
        own = {i: q[i].to_numpy(dtype="float64") for i in REGISTRY}
        own["index"] = q["index"].to_numpy(dtype="float64")
        for name in ("commune", "epci"):
            other = _indicator_columns(compared[name].values, self.ids)
            other["index"] = compared[name].index
            cols: dict[str, FloatArray] = {}
            for col, mine in own.items():
                cols[f"gap_{name}_{col}"] = mine - other[col]
                cols[f"ratio_{name}_{col}"] = safe_ratio(mine, other[col])
            parts.append(pd.DataFrame(cols))
        frame = pd.concat([p.reset_index(drop=True) for p in parts], axis=1)
        return gpd.GeoDataFrame(frame, geometry=q.geometry.to_numpy(), crs=CELL_CRS)


def _unique_rows(mask: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Return ``np.unique(mask, axis=0, return_inverse=True)`` of a boolean matrix, faster.

    Each row is read as a binary number (first column most significant), so the distinct
    numbers in increasing order are the distinct rows in numpy's order; the rows are
    counted instead of sorted (millions of cells, a few dimensions). Matrices too wide
    for one 64-bit number go to numpy.
    """
    width = mask.shape[1]
    if width > 20:
        rows, inverse = np.unique(mask, axis=0, return_inverse=True)
        return rows, inverse.reshape(-1)
    weights = (1 << np.arange(width - 1, -1, -1)).astype(np.int64)
    codes = mask.astype(np.int64) @ weights if width else np.zeros(len(mask), dtype=np.int64)
    present = np.flatnonzero(np.bincount(codes, minlength=1 << width))
    position = np.zeros(1 << width, dtype=np.int64)
    position[present] = np.arange(len(present))
    rows = ((present[:, None] & weights[None, :]) != 0).reshape(len(present), width)
    return rows, position[codes]


def _classes(index: FloatArray, breaks: FloatArray) -> FloatArray:
    return classify(index, breaks)


def _as_int(values: FloatArray) -> list[int | None]:
    return [int(v) if np.isfinite(v) else None for v in values]


def _zone_detail(pop: float, floor: float, missing: str, reasons: Mapping[str, str]) -> str:
    notes = []
    if not pop > 0:
        notes.append("aucun habitant dans les carreaux recouvrant la zone")
    elif pop < floor:
        notes.append(f"population carroyée {pop:.0f} < seuil {floor:g} : publié, non classé")
    if missing:
        absent = [m for m in missing.split(", ") if m]
        global_ = [m for m in absent if m in reasons]
        local = [m for m in absent if m not in reasons]
        if local:
            notes.append(
                f"valeurs vides (population trop faible ou sans donnée) : {', '.join(local)}"
            )
        if global_:
            notes.append(f"indicateurs non calculés pour le territoire : {', '.join(global_)}")
    return " ; ".join(notes)
