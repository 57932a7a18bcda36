"""Facts shared by every document of a diagnostic: names, dimensions, sources, method, footer.

Everything is read from a :class:`~quartiers.diagnostic.Diagnostic` (its tables and its
``run.json`` record, :attr:`~quartiers.diagnostic.Diagnostic.record`); nothing is recomputed
from the sources.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.indicators.housing_registry import HOUSING_IDS
from quartiers.indicators.registry import DIMENSIONS, HAZARD_IDS, REGISTRY, registry_table
from quartiers.outputs.formatting import MISSING, as_float, format_number, format_share
from quartiers.report.model import Provenance, SourceRow
from quartiers.report.reference import reference_key, reference_sentence

__all__ = [
    "AGGREGATION_LABELS",
    "NORMALISATION_LABELS",
    "attributions",
    "block_indicators",
    "commune_names",
    "comparison_value",
    "dimension_state",
    "dimension_weights",
    "has_epci_comparison",
    "indicator_meta",
    "method_summary",
    "missing_reasons",
    "ordinal",
    "provenance",
    "qpv_row",
    "sources",
    "territory_label",
]

NORMALISATION_LABELS = {
    "percentile": "rang centile dans la distribution des carreaux du territoire",
    "minmax": "min–max sur les carreaux du territoire",
    "zscore": "écart à la moyenne des carreaux, en écarts-types (z-score)",
    "bounds": "min–max entre deux bornes fixes",
}
AGGREGATION_LABELS = {
    "arithmetic": "moyenne arithmétique pondérée",
    "geometric": "moyenne géométrique pondérée",
}
_STATE_DEFAULT = {"label": "", "state": "absente", "in_index": False}


_HOUSING = frozenset(HOUSING_IDS)


def ordinal(rank: int) -> str:
    """Return a French ordinal (``1er``, ``2e``)."""
    return "1er" if rank == 1 else f"{rank}e"


def territory_label(diag: Diagnostic) -> str:
    """Return « name (code) » of the diagnostic's territory."""
    return diag.record.territory_label or MISSING


def qpv_row(diag: Diagnostic, code_qp: str) -> pd.Series:
    """Return the row of one QPV or raise a French :class:`InputError`."""
    codes = diag.qpv["code_qp"].astype(str)
    match = diag.qpv[codes == code_qp]
    if match.empty:
        known = ", ".join(sorted(codes))
        raise InputError(f"QPV {code_qp} absent du diagnostic (QPV présents : {known})")
    row: pd.Series = match.iloc[0]
    return row


def commune_names(diag: Diagnostic) -> dict[str, str]:
    """Return INSEE code → commune name, from the run's coverage and the climate table."""
    names: dict[str, str] = {}
    if len(diag.climate) and {"insee_com", "nom"} <= set(diag.climate.columns):
        for code, nom in zip(diag.climate["insee_com"], diag.climate["nom"], strict=True):
            if isinstance(nom, str) and nom:
                names[str(code)] = nom
    for row in diag.record.coverage:
        if row.insee_com and row.nom:
            names[row.insee_com] = row.nom
    return names


def indicator_meta(diag: Diagnostic) -> pd.DataFrame:
    """Return the indicator table (registry + availability) indexed by id."""
    table = diag.indicators if len(diag.indicators) else registry_table()
    return table.set_index("id", drop=False)


def missing_reasons(diag: Diagnostic) -> dict[str, str]:
    """Return indicator id → French reason, for indicators not computed on the territory."""
    return dict(diag.record.missing_indicators)


def dimension_state(diag: Diagnostic, dim: str) -> dict[str, Any]:
    """Return ``{"label", "state", "in_index"}`` of a dimension (state in French)."""
    state = dict(_STATE_DEFAULT, label=DIMENSIONS.get(dim, dim))
    recorded = diag.record.dimensions.get(dim)
    if recorded is not None:
        state.update(recorded.model_dump(exclude_unset=True))
    return state


def dimension_weights(diag: Diagnostic) -> dict[str, float]:
    """Return the effective weight of each dimension in the index (0 when left out)."""
    meta = indicator_meta(diag)
    if "index_weight" not in meta.columns:
        return dict.fromkeys(DIMENSIONS, 0.0)
    weights = pd.to_numeric(meta["index_weight"], errors="coerce").fillna(0.0)
    sums = weights.groupby(meta["dimension"]).sum()
    return {dim: float(sums.get(dim, 0.0)) for dim in DIMENSIONS}


def _zone(diag: Diagnostic, zone_id: str) -> pd.Series | None:
    match = diag.zones[diag.zones["zone_id"].astype(str) == zone_id]
    return None if match.empty else match.iloc[0]


def comparison_value(diag: Diagnostic, row: pd.Series, column: str, level: str) -> float | None:
    """Return the value of ``column`` in the rest of the QPV's commune or EPCI.

    For a QPV in one commune (one EPCI) this is the zone row ``commune:<insee>``
    (``epci:<siren>``); for a QPV over several communes, the diagnostic's own
    comparison (QPV value minus the published gap).
    """
    if level == "commune":
        codes = [c for c in str(row.get("insee_coms") or row.get("insee_com") or "").split(",")]
        zone_id = f"commune:{codes[0].strip()}" if len(codes) == 1 else ""
    else:
        zone_id = f"epci:{row.get('siren_epci')}"
    zone = _zone(diag, zone_id) if zone_id else None
    if zone is not None and column in zone.index:
        return as_float(zone[column])
    own, gap = as_float(row.get(column)), as_float(row.get(f"gap_{level}_{column}"))
    return None if own is None or gap is None else own - gap


def has_epci_comparison(diag: Diagnostic, row: pd.Series) -> bool:
    """Tell whether the rest of a QPV's EPCI differs from the rest of its commune(s).

    A territory made of one commune has the same cells in both: the EPCI column would
    only repeat the commune's.
    """
    zones = diag.zones.set_index(diag.zones["zone_id"].astype(str))
    codes = [c.strip() for c in str(row.get("insee_coms") or row.get("insee_com")).split(",")]
    com_ids = [f"commune:{c}" for c in codes if f"commune:{c}" in zones.index]
    epci_id = f"epci:{row.get('siren_epci')}"
    if not com_ids or epci_id not in zones.index:
        return False
    com = float(pd.to_numeric(zones.loc[com_ids, "population"], errors="coerce").sum())
    epci = as_float(zones.loc[epci_id, "population"]) or 0.0
    return bool(epci > 0 and abs(epci - com) > 0.01 * epci)


def _catalog_title(source_id: str) -> str:
    from quartiers.sources.catalog import get_source

    try:
        spec = get_source(source_id)
    except InputError:
        return source_id
    return f"{spec.publisher} — {spec.title}"


def sources(diag: Diagnostic) -> list[SourceRow]:
    """Return the sources of the run with vintages, licences and SHA-256 (12 digits)."""
    rows = []
    for src in diag.record.sources:
        sha = src.sha256 or ""
        retrieved = (src.retrieved or "")[:10]
        rows.append(
            SourceRow(
                id=src.source_id,
                title=_catalog_title(src.source_id),
                vintage=src.vintage or MISSING,
                licence=src.licence or MISSING,
                sha256=sha[:12] if sha else MISSING,
                retrieved=retrieved or MISSING,
            )
        )
    return rows


def attributions(diag: Diagnostic) -> list[str]:
    """Return the attributions the licences require (OpenStreetMap's ODbL)."""
    ids = diag.record.source_ids()
    out = []
    if "osm" in ids:
        out.append("© les contributeurs d'OpenStreetMap, données sous licence ODbL 1.0.")
    if ids & {"filosofi", "bpe", "communes"}:
        out.append("Source : INSEE (Filosofi, BPE, COG), Licence Ouverte 2.0.")
    if "climadiag" in ids:
        out.append("Source : Météo-France, Climadiag Commune.")
    if "drias" in ids:
        out.append("Source : « Drias, données Météo-France, CERFACS, IPSL » (DRIAS 2020).")
    return out


def _percent_weight(weight: float) -> str:
    return format_share(weight, 0)


def method_summary(diag: Diagnostic) -> list[str]:
    """Return the method in plain French, one paragraph per item."""
    run = diag.record
    settings = run.method.settings
    norm = NORMALISATION_LABELS.get(str(settings.normalisation), MISSING)
    within = AGGREGATION_LABELS.get(str(run.index.within), MISSING)
    across = AGGREGATION_LABELS.get(str(run.index.across), MISSING)
    weights = dimension_weights(diag)
    used = [d for d in DIMENSIONS if weights.get(d, 0.0) > 0]
    left = [DIMENSIONS[d].lower() for d in DIMENSIONS if d not in used]
    parts = ", ".join(f"{DIMENSIONS[d].lower()} {_percent_weight(weights[d])}" for d in used)
    floor = as_float(settings.population_floor)
    cell_floor = as_float(settings.cell_population_floor)
    horizon = run.horizon.label or MISSING
    out = [
        "Le territoire est découpé en carreaux de 200 m (données carroyées de l'INSEE). Pour "
        "chaque carreau habité, des indicateurs décrivent qui y habite (sensibilité), la "
        "chaleur qu'il subit (exposition) et ce qui aide à y faire face (ressources).",
        f"Chaque indicateur est ramené sur une échelle commune ({norm} ; le climat entre des "
        f"bornes fixes), puis combiné dans sa dimension par {within} et entre dimensions par "
        f"{across}. Poids effectifs des dimensions dans l'indice : {parts or MISSING}."
        + (f" Non prises en compte faute de données : {', '.join(left)}." if left else ""),
        "La valeur d'un QPV combine celles des carreaux qui le recouvrent, pondérées par leurs "
        "habitants et par la part de chaque carreau située dans le quartier. Le QPV est "
        "comparé au reste de sa commune (hors QPV) et classé parmi les QPV du territoire.",
        (
            "L'indice est relatif : il situe les QPV d'un même territoire les uns par rapport "
            "aux autres ; il ne se compare pas d'un territoire à l'autre (comparez plutôt les "
            "indicateurs eux-mêmes)."
            if reference_key(run) is None
            else "L'indice est calculé sur une référence extérieure au territoire : il se "
            "compare à celui des diagnostics faits sur la même référence."
        ),
        reference_sentence(run),
        f"Un QPV de moins de {format_number(floor, 0)} habitants est publié mais non classé ; "
        f"un carreau de moins de {format_number(cell_floor, 0)} habitants n'a pas d'indice. "
        "Les carreaux de moins de 11 ménages sont estimés par l'INSEE : ils ne décrivent "
        "jamais des personnes identifiables.",
        f"Horizon climatique de l'indice : {horizon}. Méthode « {run.method.name} » "
        f"version {run.method.version} ; définitions et formules : docs/method.md.",
    ]
    return out


def _short_git(value: Any) -> str:
    text = str(value or "")
    m = re.fullmatch(r"([0-9a-f]{7,40})(-dirty)?", text)
    return f"{m.group(1)[:10]}{m.group(2) or ''}" if m else text


def provenance(diag: Diagnostic, generated_on: date) -> Provenance:
    """Return the footer facts of a document produced on ``generated_on``."""
    run = diag.record
    versions = run.code_version
    git = _short_git(versions.get("git"))
    code = f"Quartiers en transition {versions.get('quartiers', '?')}"
    if git:
        code += f" (commit {git})"
    method = run.method
    sha = method.sha256 or ""
    method_text = f"{method.name or MISSING} v{method.version or '?'}"
    if sha:
        method_text += f" (empreinte {sha[:12]})"
    return Provenance(
        code_version=code,
        method=method_text,
        horizon=run.horizon.label or MISSING,
        generated_on=generated_on.strftime("%d/%m/%Y"),
        notes=list(run.notes),
    )


def block_indicators(diag: Diagnostic, dimension: str) -> list[str]:
    """Return the indicators of ``dimension`` listed in its sheet block, in registry order.

    Hazard exposures (flood, sea, clay) are listed only when the run's method weighs them
    (methods ``inondation``, ``multi-aleas``): under the heat method they are not heat
    exposure, and stay in ``qpv.csv`` and the data dictionary. The DPE indicators likewise
    (method ``logement-chaleur``); the sheet shows them in their own section.
    """
    table = diag.indicators
    weights: dict[str, float] = {}
    if "index_weight" in table.columns:
        ids = table["id"].astype(str)
        weights = dict(zip(ids, table["index_weight"].fillna(0.0), strict=True))
    return [
        i
        for i, ind in REGISTRY.items()
        if ind.dimension == dimension
        and (i not in HAZARD_IDS | _HOUSING or weights.get(i, 0.0) > 0)
    ]
