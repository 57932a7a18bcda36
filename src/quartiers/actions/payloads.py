"""JSON-ready views of the catalogue, suggestions, what-ifs and climate horizons.

Used by the JSON API (:mod:`quartiers.actions.api`) and the workshop page. Numbers are
plain floats (``None`` when missing); every label is French.
"""

from __future__ import annotations

import math
from typing import Any

from quartiers.actions.catalogue import Action, Catalogue
from quartiers.actions.horizons import HorizonValue
from quartiers.actions.matching import Need, Suggestion
from quartiers.actions.vocabulary import BENEFICIARIES, COST_UNITS, LEVERS
from quartiers.actions.whatif import WhatIfResult
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import (
    NBSP,
    format_euro_range,
    format_gap,
    format_number,
    format_value,
)

__all__ = [
    "action_json",
    "catalogue_json",
    "horizons_json",
    "need_json",
    "suggestion_json",
    "whatif_json",
]


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def action_json(action: Action) -> dict[str, Any]:
    """Return one catalogue action with its French labels."""
    data = action.model_dump(mode="json")
    data.update(
        type_label=action.type_label,
        pillar_labels=action.pillar_labels,
        pilot_label=action.pilot_label,
        partner_labels=action.partner_labels,
        beneficiaries_label=BENEFICIARIES[action.beneficiaries][0],
        lever_label=LEVERS[action.lever.kind],
        cost_label=(
            f"{format_euro_range(action.cost.low, action.cost.high)} {COST_UNITS[action.cost.per]}"
        ),
        cost_basis=action.cost.basis,
    )
    return data


def catalogue_json(catalogue: Catalogue) -> dict[str, Any]:
    """Return the catalogue: version, title and every action."""
    return {
        "version": catalogue.version,
        "title": catalogue.title,
        "items": [action_json(a) for a in catalogue.actions],
        "total": len(catalogue.actions),
    }


def need_json(need: Need) -> dict[str, Any]:
    """Return one need of a QPV."""
    return {
        "indicator": need.indicator,
        "label": need.label,
        "unit": need.unit,
        "value": _num(need.value),
        "value_text": format_value(need.value, need.unit),
        "rest": _num(need.rest),
        "rest_text": format_value(need.rest, need.unit),
        "position": _num(need.position),
        "gap": _num(need.gap),
        "need": _num(need.need),
    }


def suggestion_json(s: Suggestion, rank: int) -> dict[str, Any]:
    """Return one suggestion with its default (editable) choice."""
    a = s.action
    return {
        "rank": rank,
        "action": a.id,
        "title": a.title,
        "type": a.type,
        "type_label": a.type_label,
        "pillar_labels": a.pillar_labels,
        "lever": a.lever.kind,
        "lever_label": LEVERS[a.lever.kind],
        "default_amount": a.lever.amount,
        "max_amount": a.lever.limit if a.lever.kind in ("canopy", "green", "deseal") else None,
        "need": _num(s.need),
        "driver": need_json(s.driver) if s.driver else None,
        "residents": _num(s.residents),
        "beneficiaries_label": BENEFICIARIES[a.beneficiaries][0],
        "effect": _num(s.effect),
        "score": _num(s.score),
        "investment": [s.cost_low, s.cost_high],
        "running_per_year": [s.running_low, s.running_high],
        "investment_text": format_euro_range(s.cost_low, s.cost_high),
        "running_text": format_euro_range(s.running_low, s.running_high),
        "impact": a.impact,
        "choice": s.choice.model_dump(mode="json", exclude_none=True),
    }


def horizons_json(values: list[HorizonValue]) -> list[dict[str, Any]]:
    """Return the climate horizons of a QPV."""
    return [
        {
            "indicator": v.indicator,
            "label": v.label,
            "unit": v.unit,
            "horizon": v.horizon,
            "horizon_label": v.horizon_label,
            "value": _num(v.value),
            "low": _num(v.low),
            "high": _num(v.high),
        }
        for v in values
    ]


def _improved(column: str, delta: float) -> bool | None:
    """Return whether a change lowers vulnerability (None when unchanged)."""
    if not math.isfinite(delta) or abs(delta) <= 1e-12:
        return None
    direction = REGISTRY[column].direction if column in REGISTRY else 1
    if column == "rank":
        direction = -1  # rank 1 is the most vulnerable
    return bool(delta * direction < 0)


def whatif_json(result: WhatIfResult, code_qp: str) -> dict[str, Any]:
    """Return a what-if: actions applied, the QPV before/after, every QPV, changed cells."""
    rows = result.qpv_changes()
    items = []
    for rec in rows.to_dict(orient="records"):
        delta = float(rec["delta"])
        items.append(
            {
                "code_qp": rec["code_qp"],
                "lib_qp": rec["lib_qp"],
                "column": rec["column"],
                "label": rec["label"],
                "unit": rec["unit"],
                "before": _num(rec["before"]),
                "after": _num(rec["after"]),
                "delta": _num(delta),
                "before_text": format_value(rec["before"], rec["unit"]),
                "after_text": format_value(rec["after"], rec["unit"]),
                "delta_text": format_gap(delta, rec["unit"]) if abs(delta) > 1e-12 else "",
                "changed": bool(math.isfinite(delta) and abs(delta) > 1e-12),
                "improved": _improved(str(rec["column"]), delta),
            }
        )
    cells = result.cell_changes()
    return {
        "code_qp": code_qp,
        "applied": [
            {
                "action": a.action.id,
                "title": a.action.title,
                "choice": a.choice.model_dump(mode="json", exclude_none=True),
                "area_m2": _num(a.area_m2),
                "area_text": (
                    None if a.area_m2 is None else f"{format_number(a.area_m2, 0)}{NBSP}m²"
                ),
                "places": a.places,
                "quantity": a.quantity,
                "notes": list(a.notes),
                "simulated": a.simulated,
            }
            for a in result.applied
        ],
        "qpv": [i for i in items if i["code_qp"] == code_qp],
        "other_qpv": [i for i in items if i["code_qp"] != code_qp],
        "cells_changed": int(cells["idcar_200m"].nunique()) if len(cells) else 0,
        "cells": result.cells_geojson(),
        "notes": result.notes,
    }
