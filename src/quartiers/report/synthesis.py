"""The territory synthesis: every QPV of a diagnostic on a few pages (pure: no file I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import MISSING, as_float, format_number, format_share
from quartiers.report import _common as common
from quartiers.report.charts import rank_chart
from quartiers.report.climate import ClimateSection, climate_section
from quartiers.report.context import UNCERTAINTY_COLUMNS, ranked_units
from quartiers.report.maps import territory_map
from quartiers.report.model import Chart, Provenance, SourceRow

__all__ = ["DimensionState", "QpvLine", "TerritorySynthesis", "territory_synthesis"]


@dataclass(frozen=True)
class QpvLine:
    """One QPV in the synthesis table."""

    code: str
    name: str
    commune: str
    population: str
    poverty_rate: str
    poverty_commune: str
    index: str
    rank: str
    interval: str
    scores: list[str]
    status: str
    sheet: str
    index_label: str = ""
    detail: str = ""


#: Status of a QPV whose index lacks a dimension the others have (listed apart).
INCOMPLETE = "incomplet"


@dataclass(frozen=True)
class DimensionState:
    """Availability of a dimension on the territory."""

    label: str
    state: str
    weight: str
    missing: str


@dataclass(frozen=True)
class TerritorySynthesis:
    """Everything the territory synthesis shows."""

    territory: str
    facts: list[tuple[str, str]]
    map_chart: Chart
    qpv: list[QpvLine]
    has_interval: bool
    rank_chart: Chart
    apart: list[QpvLine]
    index_labels: list[str]
    dimensions: list[DimensionState]
    climate: list[ClimateSection]
    sources: list[SourceRow]
    attributions: list[str]
    method: list[str]
    provenance: Provenance


def _line(diag: Diagnostic, row: pd.Series, names: dict[str, str], sheet: str) -> QpvLine:
    rank = as_float(row.get("rank"))
    interval = MISSING
    low, high = as_float(row.get("rank_low")), as_float(row.get("rank_high"))
    if low is not None and high is not None:
        interval = f"{format_number(low, 0)}–{format_number(high, 0)}"
    insee = str(row["insee_com"])
    status = str(row.get("status") or "")
    return QpvLine(
        code=str(row["code_qp"]),
        name=str(row["lib_qp"]),
        commune=names.get(insee, insee),
        population=format_number(row.get("population")),
        poverty_rate=format_share(row.get("poverty_rate")),
        poverty_commune=format_share(common.comparison_value(diag, row, "poverty_rate", "commune")),
        index=format_number(row.get("index"), 2),
        rank=common.ordinal(int(rank)) if rank is not None else "non classé",
        interval=interval,
        scores=[format_number(row.get(f"score_{d}"), 2) for d in DIMENSIONS],
        status="ok" if status == "ok" else status,
        sheet=sheet,
        index_label=str(row.get("index_label") or ""),
        detail=str(row.get("status_detail") or ""),
    )


def _facts(diag: Diagnostic, names: dict[str, str]) -> list[tuple[str, str]]:
    qpv_pop = float(pd.to_numeric(diag.qpv["population"], errors="coerce").sum())
    cells_pop = float(pd.to_numeric(diag.cells["population"], errors="coerce").sum())
    ranked = int(pd.to_numeric(diag.qpv["rank"], errors="coerce").notna().sum())
    communes = sorted({c for v in diag.qpv["insee_com"].astype(str) for c in v.split(",")})
    return [
        ("Territoire", common.territory_label(diag)),
        ("Communes du territoire", str(len(names)) if names else MISSING),
        ("Communes ayant un QPV", ", ".join(f"{names.get(c, c)} ({c})" for c in communes)),
        ("QPV étudiés", f"{len(diag.qpv)} (dont {ranked} classés)"),
        ("Habitants des QPV (population carroyée)", format_number(qpv_pop)),
        ("Habitants du territoire couverts par les carreaux", format_number(cells_pop)),
        (
            "Part des habitants vivant en QPV",
            format_share(qpv_pop / cells_pop if cells_pop else None),
        ),
        ("Horizon climatique de l'indice", diag.record.horizon.label),
    ]


def _dimensions(diag: Diagnostic) -> list[DimensionState]:
    weights = common.dimension_weights(diag)
    reasons = common.missing_reasons(diag)
    meta = common.indicator_meta(diag)
    out = []
    for dim, label in DIMENSIONS.items():
        state = common.dimension_state(diag, dim)
        ids = [i for i in meta.index if meta.loc[i, "dimension"] == dim and i in reasons]
        missing = "; ".join(f"{meta.loc[i, 'label']} ({reasons[i]})" for i in ids)
        out.append(
            DimensionState(
                label=label,
                state=str(state["state"]),
                weight=(format_share(weights[dim], 0) if weights.get(dim) else "hors indice"),
                missing=missing,
            )
        )
    return out


def territory_synthesis(
    diag: Diagnostic,
    *,
    sheet_names: dict[str, str] | None = None,
    generated_on: date | None = None,
) -> TerritorySynthesis:
    """Return the content of the synthesis of a diagnostic's territory.

    Parameters
    ----------
    diag
        The diagnostic.
    sheet_names
        QPV code → file name of its sheet (links in the HTML version).
    generated_on
        Date printed on the document (today when None).
    """
    names = common.commune_names(diag)
    sheets = sheet_names or {}
    order = diag.qpv.assign(_r=pd.to_numeric(diag.qpv["rank"], errors="coerce")).sort_values(
        ["_r", "code_qp"], na_position="last"
    )
    lines = [
        _line(diag, row, names, sheets.get(str(row["code_qp"]), "")) for _, row in order.iterrows()
    ]
    has_interval = all(c in diag.qpv.columns for c in UNCERTAINTY_COLUMNS)
    communes = sorted({str(c) for c in diag.qpv["insee_com"]})
    return TerritorySynthesis(
        territory=common.territory_label(diag),
        facts=_facts(diag, names),
        map_chart=territory_map(diag),
        qpv=[q for q in lines if q.status != INCOMPLETE],
        apart=[q for q in lines if q.status == INCOMPLETE],
        index_labels=list(
            dict.fromkeys(q.index_label for q in lines if q.status != INCOMPLETE and q.index_label)
        ),
        has_interval=has_interval,
        rank_chart=rank_chart(
            ranked_units(diag),
            highlight=None,
            title=(
                "Rang des QPV et intervalle d'incertitude (5–95 %)"
                if has_interval
                else "Indice composite des QPV du territoire"
            ),
        ),
        dimensions=_dimensions(diag),
        climate=[climate_section(diag, c, chart=False) for c in communes],
        sources=common.sources(diag),
        attributions=common.attributions(diag),
        method=common.method_summary(diag),
        provenance=common.provenance(diag, generated_on or date.today()),
    )
