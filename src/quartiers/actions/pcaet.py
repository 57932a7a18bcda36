"""Build the PCAET chapter on the priority neighbourhoods of a diagnostic (pure: no file I/O).

For the PCAET's vulnerability analysis (code de l'environnement, art. R229-51), each unit
(QPV, or zone of a ``--zones`` diagnostic) gets, per hazard, its exposure and sensitivity
indicators beside the rest of its commune and of its EPCI (:data:`HAZARDS`); each EPCI gets
its rest outside the units and the residents exposed to each hazard zone inside and outside
the units. For the action programme, each unit gets the actions the catalogue matching ranks
first (the same default as the roadmap: :data:`~quartiers.defaults.DEFAULT_CHOSEN`), with
their means, public, partners, expected results and the indicator to monitor. Every number
is the diagnostic's; nothing is recomputed but the count of exposed residents (share ×
population).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date

import pandas as pd

from quartiers.actions.catalogue import Action, Catalogue, default_catalogue
from quartiers.actions.choices import planned_quantity
from quartiers.actions.horizons import climate_horizons, horizon_table
from quartiers.actions.matching import Suggestion, suggest
from quartiers.actions.pcaet_model import (
    HAZARDS,
    EpciExposure,
    EpciSummary,
    Measure,
    PcaetAction,
    PcaetChapter,
    UnitChapter,
)
from quartiers.actions.vocabulary import BENEFICIARIES, CO_BENEFITS, COST_UNITS, PARTNERS
from quartiers.defaults import DEFAULT_CHOSEN
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import MISSING, format_number, format_value
from quartiers.outputs.templating import zones_run
from quartiers.text import zone_words

__all__ = ["action_hazards", "build_pcaet"]

_EXPOSURE, _SENSITIVITY = "exposition", "sensibilité"
_INDOOR = frozenset({"share_summer_comfort_poor", "share_dpe_fg", "energy_poverty_proxy"})


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def action_hazards(action: Action) -> tuple[str, ...]:
    """Return the ids of the hazards of :data:`HAZARDS` an action addresses.

    A hazard with zones (flood, sea, clay, several) is addressed when the action targets one
    of its indicators; indoor heat when it targets a DPE indicator; heat when the action
    cools (co-benefit ``cooling``) or targets a heat indicator (who suffers from heat: the
    poor, the old, people alone…). An action serving none of them (food only) has none.
    """
    out = []
    targets = set(action.targets)
    for hazard in HAZARDS:
        if hazard.id == "heat":
            hit = "cooling" in action.co_benefits or bool(set(hazard.indicators) & targets)
        elif hazard.id == "indoor_heat":
            hit = bool(_INDOOR & targets)
        else:
            hit = bool(set(hazard.indicators) & targets)
        if hit:
            out.append(hazard.id)
    return tuple(out)


def _measures(row: pd.Series, missing: dict[str, str]) -> tuple[Measure, ...]:
    """Return the exposure and sensitivity indicators of a unit, per hazard."""
    out = []
    for hazard in HAZARDS:
        for component, ids in ((_EXPOSURE, hazard.exposure), (_SENSITIVITY, hazard.sensitivity)):
            for ind in ids:
                if ind not in row.index:
                    continue  # not published by this diagnostic (older run, other method)
                value = _float(row.get(ind))
                gap_c = _float(row.get(f"gap_commune_{ind}"))
                gap_e = _float(row.get(f"gap_epci_{ind}"))
                note = "" if math.isfinite(value) else missing.get(ind, "valeur non publiée")
                out.append(
                    Measure(
                        hazard=hazard.id,
                        hazard_label=hazard.label,
                        component=component,
                        indicator=ind,
                        label=REGISTRY[ind].label,
                        unit=REGISTRY[ind].unit,
                        value=value,
                        rest_commune=value - gap_c,
                        gap_commune=gap_c,
                        rest_epci=value - gap_e,
                        gap_epci=gap_e,
                        note=note,
                    )
                )
    return tuple(out)


def _quantity_text(action: Action, quantity: float) -> str:
    if action.cost.per == "year":
        return "chaque année"
    unit = {"site": "site(s)", "tree": "arbre(s)", "m2": "m²", "dwelling": "logement(s)"}
    return f"{format_number(quantity, 0)} {unit.get(action.cost.per, COST_UNITS[action.cost.per])}"


def _pcaet_action(rank: int, item: Suggestion, row: pd.Series, *, zones: bool) -> PcaetAction:
    action = item.action
    indicator = action.monitoring.indicator
    baseline = _float(row.get(indicator)) if indicator is not None else math.nan
    if indicator is None:
        baseline_text = "à établir la première année"
    else:
        baseline_text = format_value(baseline, REGISTRY[indicator].unit)
    lead = action.lead_time
    basis = action.cost.basis + (
        f" ; fonctionnement : {action.running_cost.basis}" if action.running_cost else ""
    )
    return PcaetAction(
        rank=rank,
        id=action.id,
        title=action.title,
        hazards=action_hazards(action),
        answers=item.driver.label if item.driver is not None else "",
        need=item.need,
        public=BENEFICIARIES[action.beneficiaries][0],
        residents=item.residents,
        pilot=PARTNERS[action.pilot],
        partners=tuple(PARTNERS[p] for p in action.partners),
        invest_low=item.cost_low,
        invest_high=item.cost_high,
        running_low=item.running_low,
        running_high=item.running_high,
        quantity=_quantity_text(action, planned_quantity(action, item.choice)),
        lead_time=f"{lead.months_low} à {lead.months_high} mois",
        expected=" ".join(action.impact_basis.split()),
        monitoring=zone_words(action.monitoring.label) if zones else action.monitoring.label,
        monitoring_indicator=indicator,
        baseline=baseline,
        baseline_text=baseline_text,
        co_benefits=tuple(CO_BENEFITS[c] for c in action.co_benefits),
        funding=tuple(action.funding),
        sources=tuple(action.sources),
        cost_basis=basis,
    )


def _rank_text(row: pd.Series, n_ranked: int, unit_plural: str) -> str:
    rank = _float(row.get("rank"))
    if not math.isfinite(rank):
        return "non classé (indice incomplet ou population trop faible)"
    agreed = "classées" if unit_plural == "zones" else "classés"
    return f"{int(rank)} sur {n_ranked} {unit_plural} {agreed}"


def _unit(
    diag: Diagnostic, row: pd.Series, catalogue: Catalogue, names: dict[str, str], plural: str
) -> UnitChapter:
    code = str(row["code_qp"])
    missing = dict(diag.record.missing_indicators)
    # only actions answering a need of the unit are retained (need 0: nothing to answer)
    retained = [s for s in suggest(diag, code, catalogue) if s.need > 0][:DEFAULT_CHOSEN]
    labels, rows = horizon_table(climate_horizons(diag, code))
    commune = str(row.get("insee_com", ""))
    return UnitChapter(
        code=code,
        name=str(row.get("lib_qp", code)),
        commune=names.get(commune, commune),
        siren_epci=str(row.get("siren_epci", "")),
        population=_float(row.get("population")),
        index_text=format_value(_float(row.get("index")), "0–1"),
        rank_text=_rank_text(row, diag.record.summary.qpv_ranked or 0, plural),
        measures=_measures(row, missing),
        actions=tuple(
            _pcaet_action(n, s, row, zones=plural == "zones")
            for n, s in enumerate(retained, start=1)
        ),
        horizon_labels=tuple(labels),
        horizon_rows=tuple((label, tuple(cells)) for label, cells in rows),
    )


def _epci(diag: Diagnostic, siren: str, units: list[UnitChapter]) -> EpciSummary:
    """Return the EPCI part: its rest outside the units and the residents exposed."""
    zones = diag.zones
    hit = zones[(zones["zone_type"] == "reste_epci") & (zones["code"].astype(str) == siren)]
    rest = hit.iloc[0] if len(hit) else pd.Series(dtype=object)
    mine = [u for u in units if u.siren_epci == siren]
    missing = dict(diag.record.missing_indicators)
    nan = math.nan
    rest_measures = tuple(
        replace(m, rest_commune=nan, gap_commune=nan, rest_epci=nan, gap_epci=nan)
        for m in _measures(rest, missing)
    )
    rest_pop = _float(rest.get("population"))
    exposures = []
    for hazard in HAZARDS:
        if hazard.residents is None or hazard.residents not in diag.qpv.columns:
            continue
        inside = [_float(u.population) * _unit_value(u, hazard.residents) for u in mine]
        units_pop = sum(_float(u.population) for u in mine)
        if not inside or not all(math.isfinite(x) for x in inside):
            continue  # hazard not given: said in each unit's table
        rest_share = _float(rest.get(hazard.residents))
        exposures.append(
            EpciExposure(
                hazard=hazard.id,
                label=hazard.label,
                units_residents=sum(inside),
                units_share=sum(inside) / units_pop if units_pop > 0 else math.nan,
                rest_residents=rest_share * rest_pop,
                rest_share=rest_share,
            )
        )
    return EpciSummary(
        siren=siren,
        name=_epci_name(diag, siren, rest),
        units_population=sum(_float(u.population) for u in mine),
        rest_population=rest_pop,
        rest=rest_measures,
        exposures=tuple(exposures),
        shared_actions=_shared_actions(mine),
    )


def _epci_name(diag: Diagnostic, siren: str, rest: pd.Series) -> str:
    """Return the EPCI's name: the territory's when the territory is this EPCI."""
    territory = diag.record.territory
    if territory.code == siren and territory.name:
        return f"{territory.name} ({siren})"
    label = str(rest.get("label", "")).removesuffix(" hors QPV").removesuffix(" hors zones")
    return label or f"Intercommunalité {siren}"


def _unit_value(unit: UnitChapter, indicator: str) -> float:
    for m in unit.measures:
        if m.indicator == indicator:
            return m.value
    return math.nan


def _shared_actions(units: list[UnitChapter]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the actions retained in two units or more, with those units' names."""
    where: dict[str, list[str]] = defaultdict(list)
    for unit in units:
        for action in unit.actions:
            where[action.title].append(unit.name)
    shared = [(title, tuple(names)) for title, names in where.items() if len(names) > 1]
    return tuple(sorted(shared, key=lambda t: (-len(t[1]), t[0])))


def build_pcaet(
    diag: Diagnostic, catalogue: Catalogue | None = None, *, generated_on: date | None = None
) -> PcaetChapter:
    """Return the PCAET chapter of a diagnostic (every unit, every EPCI).

    Parameters
    ----------
    diag
        The diagnostic (QPV, or zones with ``--zones``).
    catalogue
        Actions to match (the packaged catalogue when None).
    generated_on
        Date printed on the document (today when None).
    """
    catalogue = catalogue or default_catalogue()
    zones = zones_run(diag.record.input_notes)
    word, plural = ("zone", "zones") if zones else ("QPV", "QPV")
    run = diag.record
    rests = diag.zones[diag.zones["zone_type"] == "reste_commune"]
    names = {
        str(c): str(n).removesuffix(" hors QPV").removesuffix(" hors zones")
        for c, n in zip(rests["code"], rests["label"], strict=True)
    }
    order = diag.qpv.assign(_r=pd.to_numeric(diag.qpv["rank"], errors="coerce"))
    order = order.sort_values(["_r", "code_qp"], na_position="last")
    units = [_unit(diag, row, catalogue, names, plural) for _, row in order.iterrows()]
    sirens = list(dict.fromkeys(u.siren_epci for u in units))
    zones_note = run.input_notes.get("zones") or {}
    words = zone_words if zones else str
    return PcaetChapter(
        territory=run.territory_label or MISSING,
        unit_word=word,
        unit_plural=plural,
        zones_file=str(zones_note.get("file", "")) if zones else "",
        generated=(generated_on or date.today()).strftime("%d/%m/%Y"),
        method_label=words(f"{run.method.name} (version {run.method.version})"),
        horizon_label=run.horizon.label,
        code_version=run.code_version.get("quartiers") or "",
        units=units,
        epcis=[_epci(diag, siren, units) for siren in sirens],
    )
