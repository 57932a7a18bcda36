"""The multi-territory comparison: indicators (not the relative index) side by side.

The composite index is normalised within each territory, so it does not compare across
territories; this document compares the indicators themselves, for all QPV of a territory
together against the rest of its communes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.outputs.formatting import MISSING, as_float, format_number, format_value
from quartiers.report import _common as common
from quartiers.report._plot import OKABE_ITO
from quartiers.report.charts import Compared, grouped_chart, horizon_lines
from quartiers.report.climate import climate_values
from quartiers.report.model import Chart
from quartiers.report.reference import reference_sentence, shared_reference
from quartiers.schemas import HORIZONS

__all__ = ["COMPARED_INDICATORS", "Comparison", "TerritoryLine", "comparison", "pooled_value"]

#: Indicators of the comparison document, in display order.
COMPARED_INDICATORS = (
    "poverty_rate",
    "living_standard",
    "share_65p",
    "share_0_3",
    "share_single_person",
    "share_social_housing",
    "impervious_share",
    "canopy_share",
    "dist_cool_outdoor",
)


@dataclass(frozen=True)
class TerritoryLine:
    """One territory of the comparison."""

    key: str
    label: str
    qpv_count: str
    qpv_population: str
    qpv_share: str
    horizon: str
    method: str
    dimensions: str
    qpv: list[tuple[str, str, str, str]]
    index_labels: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Comparison:
    """Everything the comparison document shows."""

    territories: list[TerritoryLine]
    warnings: list[str]
    indicator_rows: list[tuple[str, list[str]]]
    chart: Chart | None
    climate_rows: list[tuple[str, str, list[str]]]
    climate_chart: Chart | None
    horizons: list[str]
    sources: list[tuple[str, str, str, str]]
    attributions: list[str]
    generated_on: str


def _per_household(ind_id: str) -> bool:
    return bool(re.search(r"/ men$", REGISTRY[ind_id].formula))


def pooled_value(frame: pd.DataFrame, ind_id: str) -> float | None:
    """Return an indicator pooled over several zones (mean weighted by their denominators).

    Rates per household are weighted by households, everything else by residents, which
    is exact for rates of summed counts and a resident-weighted mean for the others.
    """
    if ind_id not in frame.columns or not len(frame):
        return None
    weight = pd.to_numeric(
        frame["households" if _per_household(ind_id) else "population"], errors="coerce"
    )
    value = pd.to_numeric(frame[ind_id], errors="coerce")
    ok = value.notna() & weight.notna() & (weight > 0)
    if not ok.any():
        return None
    return float((value[ok] * weight[ok]).sum() / weight[ok].sum())


def _short_name(name: str) -> str:
    """Return a territory name without its qualifiers in brackets (for chart labels)."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def _line(key: str, diag: Diagnostic) -> TerritoryLine:
    qpv_pop = float(pd.to_numeric(diag.qpv["population"], errors="coerce").sum())
    cells_pop = float(pd.to_numeric(diag.cells["population"], errors="coerce").sum())
    weights = common.dimension_weights(diag)
    states = [
        f"{common.dimension_state(diag, d)['label'].lower()} "
        f"{common.dimension_state(diag, d)['state']}"
        for d in weights
    ]
    method = diag.record.method
    qpv = []
    order = diag.qpv.assign(_r=pd.to_numeric(diag.qpv["rank"], errors="coerce"))
    for _, row in order.sort_values(["_r", "code_qp"], na_position="last").iterrows():
        rank = as_float(row.get("rank"))
        rank_text = common.ordinal(int(rank)) if rank is not None else "non classé"
        if str(row.get("status")) == "incomplet":
            lacking = ", ".join(
                DIMENSIONS.get(d.strip(), d).lower()
                for d in str(row.get("missing_dimensions") or "").split(",")
                if d.strip()
            )
            rank_text = f"à part : indice incomplet ({lacking} absente), non classé"
        qpv.append(
            (str(row["code_qp"]), str(row["lib_qp"]), format_number(row.get("index"), 2), rank_text)
        )
    return TerritoryLine(
        key=key,
        label=common.territory_label(diag),
        qpv_count=str(len(diag.qpv)),
        qpv_population=format_number(qpv_pop),
        qpv_share=format_value(qpv_pop / cells_pop if cells_pop else None, "part (0–1)"),
        horizon=diag.record.horizon.label or MISSING,
        method=f"{method.name} v{method.version} ({(method.sha256 or '')[:12]})",
        dimensions=", ".join(states),
        qpv=qpv,
        index_labels=", ".join(
            dict.fromkeys(str(v) for v in diag.qpv.get("index_label", pd.Series()).dropna() if v)
        ),
        reference=reference_sentence(diag.record),
    )


def _warnings(diags: Sequence[Diagnostic]) -> list[str]:
    records = [d.record for d in diags]
    shared = shared_reference(records)
    if shared is not None:
        out = [
            "Tous les territoires ont été normalisés sur le même fichier de référence "
            f"(SHA-256 {shared[:12]}) : leurs indices sont sur une même échelle. "
            "Les rangs restent ceux de chaque territoire."
        ]
    else:
        out = [
            "L'indice composite et les rangs sont relatifs à chaque territoire : ils ne se "
            "comparent pas d'un territoire à l'autre. Ce document compare les indicateurs."
        ]
    shas = {r.method.sha256 for r in records}
    if len(shas) > 1:
        out.append("Les territoires n'ont pas été calculés avec le même fichier de méthode.")
    horizons = {r.horizon.id for r in records}
    if len(horizons) > 1:
        out.append("Les territoires n'ont pas été calculés au même horizon climatique.")
    return out


def comparison(diags: Sequence[Diagnostic], *, generated_on: date | None = None) -> Comparison:
    """Return the content of the comparison of several diagnostics (one per territory)."""
    keys = [f"t{k}" for k in range(len(diags))]
    lines = [_line(k, d) for k, d in zip(keys, diags, strict=True)]
    short = {k: _short_name(d.record.territory.name or k) for k, d in zip(keys, diags, strict=True)}
    series = {
        "qpv": ("Ensemble des QPV", OKABE_ITO["vermillion"]),
        "rest": ("Reste du territoire (hors QPV)", OKABE_ITO["blue"]),
    }
    items, rows = [], []
    for ind_id in COMPARED_INDICATORS:
        ind = REGISTRY[ind_id]
        values: dict[str, float | None] = {}
        cells = []
        for k, d in zip(keys, diags, strict=True):
            rest = d.zones[d.zones["zone_type"] == "reste_commune"]
            values[f"{k}:qpv"] = pooled_value(d.qpv, ind_id)
            values[f"{k}:rest"] = pooled_value(rest, ind_id)
            cells.append(
                f"{format_value(values[f'{k}:qpv'], ind.unit)} / "
                f"{format_value(values[f'{k}:rest'], ind.unit)}"
            )
        rows.append((ind.label, cells))
        if any(v is not None for v in values.values()):
            items.append(Compared(label=ind.label, unit=ind.unit, values=values))
    chart = (
        grouped_chart(
            items,
            title="Indicateurs : l'ensemble des QPV de chaque territoire et le reste",
            groups=keys,
            names=short,
            series=series,
        )
        if items
        else None
    )
    horizons = list(HORIZONS.values())
    climate_rows: list[tuple[str, str, list[str]]] = []
    heat: dict[str, list[float | None]] = {}
    for k, d in zip(keys, diags, strict=True):
        cnames = common.commune_names(d)
        for insee in sorted({str(c) for c in d.qpv["insee_com"]}):
            points = climate_values(d.climate, insee).get("heat_wave_days")
            label = f"{cnames.get(insee, insee)} ({insee})"
            if points is None:
                climate_rows.append((short[k], label, [MISSING] * len(horizons)))
                continue
            climate_rows.append((short[k], label, [format_number(p[0], 1) for p in points]))
            heat[label] = [p[0] for p in points]
    climate_chart = (
        horizon_lines(
            heat,
            horizons=horizons,
            title="Jours de vague de chaleur par an selon le niveau de réchauffement",
            unit="jours par an",
        )
        if heat
        else None
    )
    sources = []
    for k, d in zip(keys, diags, strict=True):
        for s in common.sources(d):
            sources.append((short[k], s.title, s.vintage, s.licence))
    attributions = sorted({a for d in diags for a in common.attributions(d)})
    return Comparison(
        territories=lines,
        warnings=_warnings(diags),
        indicator_rows=rows,
        chart=chart,
        climate_rows=climate_rows,
        climate_chart=climate_chart,
        horizons=horizons,
        sources=sources,
        attributions=attributions,
        generated_on=(generated_on or date.today()).strftime("%d/%m/%Y"),
    )
