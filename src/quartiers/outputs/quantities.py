"""What the surfaces map and tabulate: the index, dimension scores and indicators.

Built from a diagnostic's indicator registry table (``Diagnostic.indicators``) so that a
diagnostic written with another method or registry version still reads right. Pure code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from quartiers.indicators.registry import DIMENSIONS

__all__ = [
    "ACCESS_EXTRAS",
    "HOTSPOT_SHARES",
    "INDEX_ID",
    "SOBOL_GROUPS",
    "UNCERTAINTY_COLUMNS",
    "IndicatorInfo",
    "indicator_infos",
    "score_id",
]

INDEX_ID = "index"

#: Columns of the uncertainty analysis in the ``qpv`` layer (issue 6), all optional.
UNCERTAINTY_COLUMNS = (
    "rank_median",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "robust_top_quintile",
)

#: Groups of method choices of the Sobol analysis (``sobol_total_<group>``) → French label.
SOBOL_GROUPS: dict[str, str] = {
    "normalisation": "normalisation",
    "aggregation": "agrégation",
    "weights": "poids des indicateurs",
    "dimension_weights": "poids des dimensions",
    "indicators": "indicateurs retenus",
    "imputed": "carreaux estimés par l'INSEE",
    "missing": "dimension absente imputée",
    "lcz_scores": "table des scores LCZ",
    "allocation": "règle d'allocation",
    "osm_coverage": "couverture OSM",
}

#: Hotspot shares of each QPV (local Moran's I), optional: column → French label.
HOTSPOT_SHARES: dict[str, str] = {
    "hotspot_population_share": "Part des habitants du QPV dans des points chauds",
    "hotspot_cell_share": "Part de la surface carroyée du QPV en points chauds",
}

#: Walking-access summary columns the ``qpv`` layer may carry (accessibility module):
#: column → (French label, unit).
ACCESS_EXTRAS: dict[str, tuple[str, str]] = {
    "share_beyond_300m_cool_outdoor": (
        "Habitants à plus de 300 m à pied d'un lieu frais extérieur (règle 3-30-300)",
        "part (0–1)",
    ),
    "share_not_connected": ("Habitants non reliés au réseau piéton", "part (0–1)"),
    "share_beyond_300m_green_1ha": (
        "Habitants à plus de 300 m à pied d'un espace vert d'au moins 1 ha (règle 3-30-300)",
        "part (0–1)",
    ),
    "share_beyond_500m_fresh_food": (
        "Habitants à plus de 500 m à pied d'un commerce d'alimentation fraîche ou d'un marché",
        "part (0–1)",
    ),
}


@dataclass(frozen=True)
class IndicatorInfo:
    """One mappable quantity: the index, a dimension score or a registry indicator.

    Attributes
    ----------
    id
        Column name in the ``cells``, ``qpv`` and ``zones`` layers.
    label, unit, dimension, dimension_label, direction, direction_label, formula, source
        Registry metadata (French); ``dimension`` is empty for the index.
    normalisation
        Normalisation used by the method ("" for the index and scores).
    index_weight
        Effective weight in the composite index (0 when not used).
    available
        Whether the diagnostic computed it.
    missing_reason
        Why not (French), when not available.
    climate
        Whether it is a per-commune climate indicator that changes with the horizon.
    kind
        ``index``, ``score`` or ``indicator``.
    """

    id: str
    label: str
    unit: str
    dimension: str
    dimension_label: str
    direction: int
    direction_label: str
    formula: str
    source: str
    normalisation: str
    index_weight: float
    available: bool
    missing_reason: str
    climate: bool
    kind: str

    def as_dict(self) -> dict[str, Any]:
        """Return the metadata as a JSON-ready dictionary."""
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "dimension": self.dimension or None,
            "dimension_label": self.dimension_label or None,
            "direction": self.direction,
            "direction_label": self.direction_label,
            "formula": self.formula,
            "source": self.source,
            "normalisation": self.normalisation or None,
            "index_weight": self.index_weight,
            "available": self.available,
            "missing_reason": self.missing_reason or None,
            "climate": self.climate,
            "kind": self.kind,
        }


def score_id(dimension: str) -> str:
    """Return the column of a dimension score."""
    return f"score_{dimension}"


_MORE = "plus élevé = plus vulnérable"


def _index_info(available: bool) -> IndicatorInfo:
    return IndicatorInfo(
        id=INDEX_ID,
        label="Indice de vulnérabilité aux vagues de chaleur",
        unit="indice 0–1",
        dimension="",
        dimension_label="",
        direction=1,
        direction_label=_MORE,
        formula="agrégation pondérée des scores de dimension (voir la page Méthode)",
        source="calcul Quartiers en transition",
        normalisation="",
        index_weight=1.0,
        available=available,
        missing_reason="" if available else "indice non calculé",
        climate=False,
        kind="index",
    )


def _score_info(dim: str, label: str, in_index: bool, available: bool) -> IndicatorInfo:
    return IndicatorInfo(
        id=score_id(dim),
        label=f"Score de {label.lower()}",
        unit="indice 0–1",
        dimension=dim,
        dimension_label=label,
        direction=1,
        direction_label=_MORE,
        formula=f"moyenne pondérée des indicateurs normalisés de la dimension {label.lower()}",
        source="calcul Quartiers en transition",
        normalisation="",
        index_weight=0.0,
        available=available and in_index,
        missing_reason="" if available and in_index else "dimension absente de l'indice",
        climate=False,
        kind="score",
    )


def _text(row: Mapping[str, Any], key: str, default: str = "") -> str:
    value = row.get(key, default)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return default
    return str(value)


def _number(row: Mapping[str, Any], key: str, default: float) -> float:
    value = row.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if pd.isna(number) else number


def indicator_infos(
    registry: pd.DataFrame,
    *,
    climate_ids: Iterable[str],
    columns_with_values: Iterable[str],
    dimensions_in_index: Iterable[str],
) -> dict[str, IndicatorInfo]:
    """Return the mappable quantities of a diagnostic, index first, keyed by column.

    Parameters
    ----------
    registry
        ``Diagnostic.indicators`` (one row per registry indicator).
    climate_ids
        Indicators given per commune and horizon in ``Diagnostic.climate``.
    columns_with_values
        Columns of the ``cells`` layer holding at least one finite value.
    dimensions_in_index
        Dimensions that entered the composite index (``run.json`` → ``index.dimensions``).
    """
    filled = set(columns_with_values)
    climate = set(climate_ids)
    in_index = set(dimensions_in_index)
    out: dict[str, IndicatorInfo] = {INDEX_ID: _index_info(INDEX_ID in filled)}
    for dim, label in DIMENSIONS.items():
        sid = score_id(dim)
        out[sid] = _score_info(dim, label, dim in in_index, sid in filled)
    for raw in registry.to_dict(orient="records"):
        row = {str(k): v for k, v in raw.items()}
        ind_id = _text(row, "id")
        if not ind_id:
            continue
        declared = bool(row.get("available", True)) if "available" in row else True
        available = declared and ind_id in filled
        reason = _text(row, "missing_reason")
        if not available and not reason:
            reason = "aucune valeur dans ce diagnostic"
        dim = _text(row, "dimension")
        direction = int(_number(row, "direction", 1.0))
        out[ind_id] = IndicatorInfo(
            id=ind_id,
            label=_text(row, "label", ind_id),
            unit=_text(row, "unit"),
            dimension=dim,
            dimension_label=_text(row, "dimension_label", DIMENSIONS.get(dim, dim)),
            direction=direction,
            direction_label=_text(
                row,
                "direction_label",
                _MORE if direction > 0 else "plus élevé = moins vulnérable",
            ),
            formula=_text(row, "formula"),
            source=_text(row, "source"),
            normalisation=_text(row, "normalisation"),
            index_weight=_number(row, "index_weight", 0.0),
            available=available,
            missing_reason="" if available else reason,
            climate=ind_id in climate,
            kind="indicator",
        )
    return out
