"""The « Solidité des rangs » section of the method page: what varies, and how much it weighs.

Read from ``run.json`` (sections ``uncertainty`` and ``sensitivity``, see § 12 of
``docs/method.md``): every factor of the Monte Carlo, including the two data factors (règle
d'allocation, couverture OSM) with, when they do not vary, the reason; then the total Sobol
index of each factor per QPV with its 95 % bootstrap margin. A diagnostic without the
analysis shows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DATA_FACTORS", "uncertainty_of"]

#: The data factors whose state ``run.json`` states even when they do not vary.
DATA_FACTORS = {"allocation": "règle d'allocation", "osm_coverage": "couverture OSM"}


def _factors(unc: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups = dict(unc.get("choices", {}).get("groups", {}))
    stated = unc.get("data_factors", {})
    rows = [
        {"group": g, "label": label, "varied": True, "text": ""}
        for g, label in groups.items()
        if g not in DATA_FACTORS
    ]
    for g, label in DATA_FACTORS.items():
        info = stated.get(g)
        if info is None and g not in groups:
            continue
        text = str(info.get("text", "")) if info else ""
        rows.append({"group": g, "label": label, "varied": g in groups, "text": text})
    return rows


def _sobol(sens: Mapping[str, Any]) -> dict[str, Any]:
    groups = dict(sens.get("groups", {}))
    by_qpv: dict[str, dict[str, Any]] = {}
    for r in sens.get("indices", []):
        row = by_qpv.setdefault(str(r["code_qp"]), {})
        row[str(r["group"])] = (r.get("total"), r.get("total_conf"))
    rows = [
        {"code_qp": code, "cells": [values.get(g, (None, None)) for g in groups]}
        for code, values in by_qpv.items()
        if any(v[0] is not None for v in values.values())
    ]
    return {"groups": list(groups.values()), "rows": rows, "samples": sens.get("samples")}


def uncertainty_of(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the factors and the Sobol table of a run, or None without the analysis."""
    unc = run.get("uncertainty") or {}
    if not unc.get("enabled"):
        return None
    sens = run.get("sensitivity") or {}
    return {
        "draws": unc.get("draws"),
        "factors": _factors(unc),
        "sobol": _sobol(sens) if sens.get("enabled") else None,
    }
