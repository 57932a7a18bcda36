"""Territory payloads of the API: summary, detail (with sources) and method settings."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pandas as pd

from quartiers.diagnostic.record import RunRecord
from quartiers.schemas import HORIZONS
from quartiers.sources.catalog import get_source
from quartiers.web import urls
from quartiers.web.catalog import TerritoryData
from quartiers.web.payload_values import num, text

__all__ = ["territory_detail", "territory_summary"]


def _sources(run: RunRecord) -> list[dict[str, Any]]:
    out = []
    for src in run.sources:
        sid = src.source_id
        try:
            spec = get_source(sid)
            title, publisher, url = spec.title, spec.publisher, (spec.urls or (None,))[0]
        except Exception:  # an unknown or future source id: show what run.json says
            title, publisher, url = None, None, None
        location = src.location
        out.append(
            {
                "source_id": sid,
                "title": title,
                "publisher": publisher,
                "vintage": text(src.vintage) or None,
                "licence": text(src.licence) or None,
                "retrieved": text(src.retrieved) or None,
                "sha256": text(src.sha256) or None,
                # never the server's path: only the file name
                "file": PurePath(location).name if location else None,
                "url": url,
            }
        )
    return out


def territory_summary(td: TerritoryData) -> dict[str, Any]:
    """Return the summary of a territory (:class:`~quartiers.web.schemas.TerritorySummary`)."""
    run = td.record
    method, horizon = run.method, run.horizon
    coverage = {c.insee_com: c for c in run.coverage}
    communes = [
        {
            "insee_com": code,
            "nom": nom,
            "legal_population": num(getattr(coverage.get(code), "legal_population", None)),
            "grid_share": num(getattr(coverage.get(code), "grid_share", None)),
        }
        for code, nom in sorted(td.communes.items())
    ]
    pop_qpv = pd.to_numeric(td.qpv["population"], errors="coerce").sum(min_count=1)
    ranks = pd.to_numeric(td.qpv["rank"], errors="coerce") if "rank" in td.qpv else None
    return {
        "code": td.code,
        "name": td.name,
        "communes": communes,
        "qpv_count": len(td.qpv),
        "qpv_ranked": int(ranks.notna().sum()) if ranks is not None else 0,
        "cells": len(td.cell_table),
        "population_cells": num(run.summary.population_cells),
        "population_qpv": num(pop_qpv),
        "horizon": {
            "id": horizon.id if "id" in horizon.model_fields_set else td.horizon,
            "label": horizon.label or HORIZONS.get(td.horizon, td.horizon),
        },
        "method": {"name": method.name, "version": method.version, "sha256": method.sha256},
        "bbox": [round(v, 6) for v in td.bbox],
        "has_uncertainty": td.has_uncertainty,
        "links": {
            "self": urls.api_territory(td.code),
            "qpv": urls.api_qpv_list(td.code),
            "cells": urls.api_cells(td.code),
            "page": urls.page_territory(td.code),
        },
    }


def territory_detail(td: TerritoryData) -> dict[str, Any]:
    """Return the detail of a territory (:class:`~quartiers.web.schemas.TerritoryDetail`)."""
    run = td.record
    layers = ["cells", "qpv", "zones"]
    layers += [name for name in ("hotspots", "places") if getattr(td, name) is not None]
    dims = {
        k: {
            "label": v.label if "label" in v.model_fields_set else k,
            "state": v.state if "state" in v.model_fields_set else "",
            "in_index": v.in_index,
        }
        for k, v in run.dimensions.items()
    }
    return {
        **territory_summary(td),
        "sources": _sources(run),
        "dimensions": dims,
        "notes": list(run.notes),
        "indicators": [info.as_dict() for info in td.indicators.values()],
        "horizons": [{"id": h, "label": HORIZONS[h]} for h in td.climate_horizons()],
        "layers": layers,
        "code_version": dict(run.code_version),
    }
