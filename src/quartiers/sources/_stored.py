"""Reuse a territory's workspace: find its stored inputs and rebuild its territory.

Used by :func:`quartiers.sources.load.load_inputs` when the workspace already holds the
territory (``quartiers fetch`` wrote it).
"""

from __future__ import annotations

from pathlib import Path

from quartiers.errors import InputError
from quartiers.schemas import TerritoryInputs
from quartiers.sources._vector import L93
from quartiers.sources.territory import Selection, Territory, build_territory
from quartiers.sources.workspace import read_workspace, workspace_dir
from quartiers.text import fold

__all__ = ["stored_inputs", "territory_from"]


def stored_inputs(root: Path, query: str) -> TerritoryInputs | None:
    """Return the workspace inputs of a code (or of a unique name match), if any."""
    direct = workspace_dir(root, query.strip())
    if (direct / "territory.json").exists():
        return read_workspace(direct)
    if not Path(root).is_dir():
        return None
    wanted = fold(query)
    for manifest in sorted(Path(root).glob("*/territory.json")):
        try:
            candidate = read_workspace(manifest.parent)
        except InputError:
            continue
        if fold(candidate.name) == wanted:
            return candidate
    return None


def territory_from(inputs: TerritoryInputs, margin_m: float) -> Territory:
    """Rebuild the territory of workspace inputs (its communes and QPV, with margin)."""
    note = inputs.notes.territory
    codes = note.commune_codes if note is not None else None
    selection_codes = tuple(
        str(c) for c in (codes if codes is not None else inputs.communes["insee_com"])
    )
    selection = Selection(
        inputs.code,
        inputs.name,
        "epci" if note is not None and note.kind == "epci" else "commune",
        (note.siren_epci or "") if note is not None else "",
        selection_codes,
    )
    return build_territory(
        selection, inputs.communes.to_crs(L93), inputs.qpv.to_crs(L93), margin_m=margin_m
    )
