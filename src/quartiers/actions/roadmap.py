"""The draft roadmap (feuille de route) of a QPV, as data the exports render.

Structured as a contrat de ville expects: issues (enjeux, from the diagnostic), objectives,
actions with their leader (pilote) and partners, calendar, budget range, and monitoring
indicators with their baseline (the diagnostic's number, never recomputed) and target
(the what-if's result when a simulation ran: baseline + simulated change). The climate
horizons of the QPV's commune close the issues.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from quartiers.actions._roadmap_zones import for_zone
from quartiers.actions._wording import with_article
from quartiers.actions.catalogue import Action, Catalogue
from quartiers.actions.choices import Choice, check_choices, planned_quantity
from quartiers.actions.horizons import climate_horizons
from quartiers.actions.matching import qpv_needs, qpv_row
from quartiers.actions.priorities import roadmap_priorities
from quartiers.actions.roadmap_model import (
    CONTRACT_END,
    ActionRow,
    CostTotals,
    IndicatorRow,
    IssueRow,
    Roadmap,
)
from quartiers.actions.vocabulary import COST_UNITS, PARTNERS
from quartiers.actions.whatif import WhatIfResult, column_label
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.outputs.formatting import (
    NBSP,
    format_gap,
    format_number,
    format_share,
    format_value,
)

if TYPE_CHECKING:  # the database layer is not needed to print a roadmap
    from quartiers.participation.priorities import SessionResults

__all__ = [
    "CONTRACT_END",
    "ActionRow",
    "IndicatorRow",
    "IssueRow",
    "Roadmap",
    "build_roadmap",
]

_NOT_SIMULATED = "à fixer en atelier (simulation non lancée)"
_NOT_MODELLED = "à fixer en atelier (effet non représenté dans l'indice)"


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _lead_time(action: Action) -> str:
    lo, hi = action.lead_time.months_low, action.lead_time.months_high
    return f"{lo} à {hi} mois" if lo != hi else f"{hi} mois"


def _quantity_text(action: Action, quantity: float) -> str:
    unit = {"site": "site(s)", "tree": "arbre(s)", "m2": "m²", "dwelling": "logement(s)"}
    if action.cost.per == "year":
        return "chaque année"
    return f"{format_number(quantity, 0)} {unit.get(action.cost.per, COST_UNITS[action.cost.per])}"


def _action_row(
    action: Action, choice: Choice, quantity: float, first_year: int, simulated: str
) -> ActionRow:
    start = choice.start_year or first_year
    years = max(1, math.ceil(action.lead_time.months_high / 12))
    delivery = start + years - 1
    recurring = action.cost.per == "year" or action.running_cost is not None
    if action.cost.per == "year":
        invest_low = invest_high = 0.0
        run_low, run_high = action.cost.low * quantity, action.cost.high * quantity
    else:
        invest_low, invest_high = action.cost.low * quantity, action.cost.high * quantity
        running = action.running_cost
        run_q = quantity if action.cost.per in ("site", "tree") else 1.0
        run_low = running.low * run_q if running else 0.0
        run_high = running.high * run_q if running else 0.0
    basis = action.cost.basis + (
        f" ; fonctionnement : {action.running_cost.basis}" if action.running_cost else ""
    )
    pilot = choice.pilot or action.pilot
    partners = choice.partners if choice.partners is not None else action.partners
    return ActionRow(
        id=action.id,
        title=action.title,
        description=" ".join(action.description.split()),
        type_label=action.type_label,
        pillars=tuple(action.pillar_labels),
        pilot=PARTNERS[pilot],
        partners=tuple(PARTNERS[p] for p in partners),
        start_year=start,
        delivery_year=delivery,
        recurring=recurring,
        lead_time=_lead_time(action),
        quantity=_quantity_text(action, quantity),
        invest_low=invest_low,
        invest_high=invest_high,
        running_low=run_low,
        running_high=run_high,
        monitoring=action.monitoring.label,
        simulated=simulated,
        note=choice.note,
        sources=tuple(action.sources),
        cost_basis=basis,
    )


def _simulated_text(result: WhatIfResult | None, action: Action) -> str:
    if result is None:
        return "non simulée"
    for applied in result.applied:
        if applied.action.id != action.id:
            continue
        if action.lever.kind == "none":
            return "non représentée dans l'indice"
        if applied.places:
            return f"{applied.places} lieu(x) ouvert(s) dans la simulation"
        if applied.area_m2 is not None:
            cells = len(applied.choice.cells or [])
            return f"{format_number(applied.area_m2, 0)}{NBSP}m² traités dans {cells} carreau(x)"
    return "non simulée"


def build_roadmap(
    diagnostic: Diagnostic,
    code_qp: str,
    choices: Sequence[Choice],
    *,
    catalogue: Catalogue,
    whatif: WhatIfResult | None = None,
    first_year: int | None = None,
    today: date | None = None,
    n_issues: int = 6,
    votes: SessionResults | None = None,
) -> Roadmap:
    """Build the draft roadmap of a QPV from the diagnostic and the chosen actions.

    Parameters
    ----------
    diagnostic
        The diagnostic (every baseline is its number).
    code_qp
        The QPV.
    choices
        Chosen actions (validated against ``catalogue``).
    catalogue
        Validated actions.
    whatif
        The simulation of these choices, when one ran: targets are its results.
    first_year
        Year the actions start by default (next year when None).
    today
        Date printed on the document.
    n_issues
        Number of issues listed.
    votes
        The residents' dot-voting of the QPV's workshops
        (:func:`quartiers.participation.priorities.qpv_priorities`), printed as « Priorités
        exprimées en atelier »; None: no such section.
    """
    today = today or date.today()
    first_year = first_year or today.year + 1
    row = qpv_row(diagnostic, code_qp)
    actions = check_choices(choices, catalogue)
    run = diagnostic.record
    changes = _changes(whatif, code_qp)
    rows = _action_rows(actions, choices, whatif, first_year)
    indicators = _indicators(row, actions, changes, simulated=whatif is not None)
    years = list(range(first_year, max(CONTRACT_END, *(r.delivery_year for r in rows)) + 1))
    roadmap = Roadmap(
        territory_code=run.territory.code,
        territory_name=run.territory.name,
        code_qp=str(code_qp),
        lib_qp=str(row.get("lib_qp", code_qp)),
        communes=str(row.get("insee_coms") or row.get("insee_com") or ""),
        population=_float(row.get("population")),
        generated=today.strftime("%d/%m/%Y"),
        horizon_label=run.horizon.label,
        method_label=f"{run.method.name} (version {run.method.version})",
        code_version=run.code_version.get("quartiers") or "",
        index_text=format_value(_float(row.get("index")), "0–1"),
        rank_text=_rank_text(_float(row.get("rank")), run.summary.qpv_ranked or 0),
        scores=[
            (label, format_value(_float(row.get(f"score_{dim}")), "0–1"))
            for dim, label in DIMENSIONS.items()
        ],
        issues=_issues(diagnostic, code_qp, n_issues, catalogue),
        horizons=climate_horizons(diagnostic, code_qp),
        objectives=_objectives(indicators, actions),
        actions=rows,
        years=years,
        indicators=indicators,
        **_costs(rows),
        simulated=whatif is not None,
        notes=_notes(row, whatif),
        priorities=roadmap_priorities(votes, [a.id for a in actions]),
    )
    return for_zone(roadmap) if run.input_notes.get("zones") else roadmap


def _changes(whatif: WhatIfResult | None, code_qp: str) -> dict[str, float]:
    if whatif is None:
        return {}
    table = whatif.qpv_changes(code_qp)
    return dict(zip(table["column"], table["delta"], strict=True))


def _rank_text(rank: float, n_ranked: int) -> str:
    return f"{int(rank)} sur {n_ranked} QPV classés" if math.isfinite(rank) else "non classé"


def _action_rows(
    actions: Sequence[Action],
    choices: Sequence[Choice],
    whatif: WhatIfResult | None,
    first_year: int,
) -> list[ActionRow]:
    """Return one roadmap row per chosen action (quantity simulated when a what-if ran)."""
    applied = {a.action.id: a for a in whatif.applied} if whatif is not None else {}
    rows = []
    for action, choice in zip(actions, choices, strict=True):
        quantity = (
            applied[action.id].quantity
            if action.id in applied
            else planned_quantity(action, choice)
        )
        rows.append(
            _action_row(action, choice, quantity, first_year, _simulated_text(whatif, action))
        )
    return rows


def _costs(rows: Sequence[ActionRow]) -> CostTotals:
    """Return the investment, yearly running cost and total cost ranges of the rows (€)."""
    invest_low = sum(r.invest_low for r in rows)
    invest_high = sum(r.invest_high for r in rows)
    return {
        "invest_low": invest_low,
        "invest_high": invest_high,
        "running_low": sum(r.running_low for r in rows),
        "running_high": sum(r.running_high for r in rows),
        "total_low": invest_low + sum(r.running_low * _running_years(r) for r in rows),
        "total_high": invest_high + sum(r.running_high * _running_years(r) for r in rows),
    }


def _running_years(row: ActionRow) -> int:
    if not row.recurring:
        return 0
    first = row.start_year if row.invest_high == 0 else row.delivery_year + 1
    return max(0, CONTRACT_END - first + 1)


def _issues(diagnostic: Diagnostic, code_qp: str, n: int, catalogue: Catalogue) -> list[IssueRow]:
    out = []
    for need in qpv_needs(diagnostic, code_qp, catalogue=catalogue)[:n]:
        rest = format_value(need.rest, need.unit) if math.isfinite(need.rest) else "non publié"
        out.append(
            IssueRow(
                indicator=need.indicator,
                label=need.label,
                value=need.value,
                value_text=format_value(need.value, need.unit),
                rest_text=rest,
                position_text=(
                    f"plus défavorable que pour {format_share(need.position, 0)} des habitants du "
                    "territoire"
                ),
            )
        )
    return out


def _indicators(
    row: pd.Series, actions: Sequence[Action], changes: dict[str, float], *, simulated: bool
) -> list[IndicatorRow]:
    by_indicator: dict[str, list[str]] = {}
    free: list[tuple[str, str]] = []
    for action in actions:
        indicator = action.monitoring.indicator
        if indicator is None:
            free.append((action.monitoring.label, action.title))
        else:
            by_indicator.setdefault(indicator, []).append(action.title)
    out = []
    for indicator, titles in [*by_indicator.items(), ("index", [a.title for a in actions])]:
        label, unit = column_label(indicator)
        if indicator != "index":
            label = f"{label} du QPV"
        baseline = _float(row[indicator] if indicator in row.index else math.nan)
        delta = changes.get(indicator, math.nan)
        modelled = math.isfinite(delta) and abs(delta) > 1e-12
        target = baseline + delta if modelled and math.isfinite(baseline) else None
        if target is not None:
            target_text = f"{format_value(target, unit)} ({format_gap(delta, unit)})"
            basis = "simulation (même méthode, même horizon)"
        else:
            target_text = _NOT_MODELLED if simulated else _NOT_SIMULATED
            basis = "à définir"
        out.append(
            IndicatorRow(
                indicator=indicator,
                label=label,
                unit=unit,
                baseline=baseline if math.isfinite(baseline) else None,
                baseline_text=format_value(baseline, unit),
                target=target,
                target_text=target_text,
                basis=basis,
                actions=tuple(titles),
            )
        )
    for label, title in free:
        out.append(
            IndicatorRow(
                indicator=None,
                label=label,
                unit="",
                baseline=None,
                baseline_text="à établir la première année",
                target=None,
                target_text="à fixer en atelier",
                basis="suivi de l'action",
                actions=(title,),
            )
        )
    return out


def _objectives(indicators: Sequence[IndicatorRow], actions: Sequence[Action]) -> list[str]:
    out = []
    for item in indicators:
        if item.indicator is None:
            continue
        if item.indicator in REGISTRY:
            verb = "Réduire" if REGISTRY[item.indicator].direction > 0 else "Augmenter"
        else:
            verb = "Réduire"
        what = with_article(item.label)
        if item.target is not None:
            out.append(
                f"{verb} {what} : de {item.baseline_text} aujourd'hui à "
                f"{format_value(item.target, item.unit)} (cible simulée)."
            )
        else:
            out.append(f"{verb} {what} (aujourd'hui {item.baseline_text} ; cible à fixer).")
    for action in actions:
        if action.monitoring.indicator is None:
            out.append(f"{action.title} — suivi : {action.monitoring.label.lower()}.")
    return out


def _notes(row: pd.Series, whatif: WhatIfResult | None) -> list[str]:
    notes = [
        "Les situations de départ sont les valeurs du diagnostic (même méthode, même "
        "horizon climatique) ; elles ne sont pas recalculées.",
        "Les coûts sont des fourchettes indicatives hors taxes (estimations d'expert sauf "
        "mention contraire), à confirmer par devis et études.",
        "L'indice situe le QPV parmi les carreaux du territoire : il mesure une "
        "vulnérabilité relative, pas un risque sanitaire.",
    ]
    imputed = _float(row.get("imputed_population_share"))
    if math.isfinite(imputed) and imputed > 0:
        notes.append(
            f"{format_share(imputed, 0)} de la population du QPV vit dans des carreaux "
            "estimés par l'INSEE (secret statistique) : valeurs approchées."
        )
    if whatif is not None:
        notes.append(
            "Cibles simulées : les actions choisies sont appliquées aux données d'entrée et le "
            "diagnostic est recalculé ; les actions d'accompagnement n'y sont pas "
            "représentées."
        )
        notes.extend(whatif.notes)
    return notes
