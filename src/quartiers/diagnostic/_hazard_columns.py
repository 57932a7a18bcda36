"""The « multi-aléas » summary columns of the QPV table (issue 19).

``hazards_present`` names the hazards whose zone holds some of the QPV's residents
(« aucun » when every given hazard leaves them out; empty when no hazard was given, which is
not the same as none); ``multi_hazard_population`` is the number of residents living where
two or more hazard zones overlap (``multi_hazard_residents`` × population). Both derive from
the published shares; nothing else of the table changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quartiers.indicators.hazard_registry import hazard_indicator_id

__all__ = ["HAZARD_NAMES", "NONE_PRESENT", "add_hazard_columns"]

#: Hazard group → short French name used in ``hazards_present``.
HAZARD_NAMES: dict[str, str] = {
    "flood": "inondation",
    "sea": "submersion marine",
    "clay": "argiles",
}

#: ``hazards_present`` when the given hazards reach none of the QPV's residents.
NONE_PRESENT = "aucun"


def _present(shares: pd.DataFrame) -> pd.Series:
    out: list[str | None] = []
    for _, row in shares.iterrows():
        given = row.dropna()
        if given.empty:
            out.append(None)
            continue
        names = [HAZARD_NAMES[str(g)] for g, v in given.items() if float(v) > 0]
        out.append(", ".join(names) if names else NONE_PRESENT)
    return pd.Series(out, index=shares.index, dtype="object")


def add_hazard_columns(qpv: pd.DataFrame) -> pd.DataFrame:
    """Return ``qpv`` with ``hazards_present`` and ``multi_hazard_population`` appended.

    The table is returned unchanged when it has no hazard indicator (an older method).
    """
    columns = {g: hazard_indicator_id(g, "residents") for g in HAZARD_NAMES}
    if not set(columns.values()) <= set(qpv.columns):
        return qpv
    shares = pd.DataFrame(
        {g: pd.to_numeric(qpv[c], errors="coerce") for g, c in columns.items()}, index=qpv.index
    )
    multi = pd.to_numeric(qpv[hazard_indicator_id("multi_hazard", "residents")], errors="coerce")
    population = pd.to_numeric(qpv["population"], errors="coerce")
    out = qpv.copy()
    out["hazards_present"] = _present(shares)
    out["multi_hazard_population"] = np.asarray(multi * population, dtype="float64")
    return out
