"""The area studied: a commune or an EPCI, its communes, its QPV and a clip box with margin.

A territory is named by an INSEE commune code (``85191``, ``2A004``), an EPCI SIREN
(``248500589``) or a name (``La Roche-sur-Yon``, ``angers loire metropole``), matched
without regard to case, accents, hyphens or the EPCI's legal-form prefix (``CA``, ``CU``…).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.defaults import DEFAULT_MARGIN_M
from quartiers.errors import InputError
from quartiers.schemas import BBox
from quartiers.sources._vector import L93, transform_bbox
from quartiers.sources.territory_codes import (
    DEPARTEMENTS,
    REGIONS,
    departement_code,
    departements_of_region,
)
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M
from quartiers.text import fold

__all__ = [
    "DEFAULT_MARGIN_M",
    "Selection",
    "Territory",
    "build_territory",
    "name_keys",
    "of_name",
    "resolve_territory",
    "select_communes",
    "transform_bbox",
]


Kind = Literal["commune", "epci", "departement", "region", "france"]

_COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_SIREN = re.compile(r"^\d{9}$")
_LEGAL_FORM = re.compile(
    r"^(ca|cc|cu|me|communaute (d agglomeration|de communes|urbaine)|metropole)( (de|du|des))?"
    r"( (la|le|les|l))? "
)
_ARTICLE = re.compile(r"^(la|le|les|l) ")
_BRACKETS = re.compile(r"\(([^)]*)\)")


@dataclass(frozen=True)
class Selection:
    """Which communes make a territory (found from attributes only, before geometries)."""

    code: str
    name: str
    kind: Kind
    siren_epci: str
    commune_codes: tuple[str, ...]


@dataclass(frozen=True)
class Territory:
    """A commune or EPCI with its communes, QPV and clip boxes.

    Attributes
    ----------
    code
        INSEE commune code or EPCI SIREN.
    name
        Official name (French).
    kind
        ``"commune"`` or ``"epci"``.
    siren_epci
        SIREN of the EPCI (of the commune's EPCI for a commune; ``''`` if none).
    communes
        Its communes, :data:`~quartiers.schemas.COMMUNE_COLUMNS`, EPSG:2154.
    qpv
        Its QPV (a QPV belongs when any of its ``insee_coms`` is a commune of the
        territory), :data:`~quartiers.schemas.QPV_COLUMNS`, EPSG:2154.
    margin_m
        Margin added around the communes for the clip boxes (m).
    bbox_2154
        Clip box ``(minx, miny, maxx, maxy)`` in EPSG:2154 metres.
    bbox_3035
        Clip box in EPSG:3035 metres, snapped outwards to the 200 m INSEE grid.
    """

    code: str
    name: str
    kind: Kind
    siren_epci: str
    communes: gpd.GeoDataFrame
    qpv: gpd.GeoDataFrame
    margin_m: float
    bbox_2154: BBox
    bbox_3035: BBox

    @property
    def commune_codes(self) -> list[str]:
        """Return the INSEE codes of the territory's communes."""
        return [str(c) for c in self.communes["insee_com"]]

    @property
    def geometry_2154(self) -> shapely.Geometry:
        """Return the union of the communes (EPSG:2154)."""
        return shapely.union_all(self.communes.geometry.to_numpy())


def name_keys(name: str, *, epci: bool = False) -> set[str]:
    """Return the folded spellings a name is matched under.

    ``La Roche-sur-Yon`` → {``la roche sur yon``, ``roche sur yon``}; an EPCI also matches
    without its legal form (``CU Angers Loire Métropole`` → ``angers loire metropole``)
    and by the acronym in brackets (``… (CARENE)`` → ``carene``).
    """
    # An acronym in brackets names the EPCI ("… (CARENE)"); a longer remark does not.
    keys = {fold(i) for i in _BRACKETS.findall(name) if len(i.split()) == 1} if epci else set()
    base = fold(_BRACKETS.sub(" ", name))
    keys.add(base)
    if epci:
        keys.add(_LEGAL_FORM.sub("", base))
    keys |= {_ARTICLE.sub("", key) for key in keys}
    keys.discard("")
    return keys


def select_communes(
    query: str, communes: pd.DataFrame, *, epci: pd.DataFrame | None = None, source: str = ""
) -> Selection:
    """Find the communes of a territory from the commune attribute table.

    Parameters
    ----------
    query
        INSEE commune code, EPCI SIREN or name (commune or EPCI).
    communes
        Table with ``insee_com``, ``nom``, ``siren_epci`` (geometry not needed).
    epci
        Optional EPCI list (``siren_epci``, ``nom``) for EPCI names.
    source
        Where the commune table came from, for messages.

    Raises
    ------
    InputError
        Unknown code or name, or a name matching several territories (listed).
    """
    query = str(query).strip()
    where = f" dans {source}" if source else ""
    codes = communes["insee_com"].astype(str)
    area = _area(query, codes, where)
    if area is not None:
        return area
    if _COMMUNE_CODE.match(query):
        hit = communes[codes == query]
        if hit.empty:
            raise InputError(
                f"territoire {query!r} introuvable : aucune commune de code INSEE {query}{where} "
                "— attendu un code commune existant (5 caractères), un SIREN d'EPCI (9 chiffres) "
                "ou un nom"
            )
        row = hit.iloc[0]
        return Selection(query, str(row["nom"]), "commune", str(row["siren_epci"]), (query,))
    if _SIREN.match(query):
        members = communes[communes["siren_epci"].astype(str) == query]
        if members.empty:
            raise InputError(
                f"territoire {query!r} introuvable : aucune commune rattachée à l'EPCI de SIREN "
                f"{query}{where} (champ siren_epci) — attendu le SIREN d'un EPCI à fiscalité "
                "propre (9 chiffres)"
            )
        return Selection(
            query,
            _epci_name(query, epci, members),
            "epci",
            query,
            tuple(sorted(members["insee_com"])),
        )
    if not query:
        raise InputError("territoire vide — attendu un code commune, un SIREN d'EPCI ou un nom")
    return _by_name(query, communes, epci, where)


def _area(query: str, codes: pd.Series, where: str) -> Selection | None:
    """Resolve ``dep:CODE``, ``reg:CODE`` and ``france`` (None for other queries)."""
    folded = query.casefold()
    deps = codes.map(departement_code)
    if folded == "france":
        return Selection("france", "France", "france", "", tuple(sorted(codes)))
    prefix, sep, code = folded.partition(":")
    if not sep or prefix not in ("dep", "reg"):
        return None
    code = code.strip().upper()
    if prefix == "dep":
        name = DEPARTEMENTS.get(code, (f"département {code}", ""))[0]
        wanted = [code]
        label = f"{name} ({code})"
        kind: Kind = "departement"
    else:
        if code not in REGIONS and not (deps == code).any():
            raise InputError(
                f"territoire {query!r} : région {code} inconnue — attendu un code de région "
                f"du COG ({', '.join(sorted(REGIONS))})"
            )
        wanted = departements_of_region(code) or [code]
        label = f"{REGIONS.get(code, f'région {code}')} ({code})"
        kind = "region"
    members = codes[deps.isin(wanted)]
    if members.empty:
        raise InputError(
            f"territoire {query!r} introuvable : aucune commune de ce "
            f"{'département' if prefix == 'dep' else 'territoire'}{where} (champ insee_com) — "
            "attendu dep:CODE (ex. dep:85), reg:CODE (ex. reg:52) ou france"
        )
    return Selection(f"{prefix}:{code}", label, kind, "", tuple(sorted(members)))


def _epci_name(siren: str, epci: pd.DataFrame | None, members: pd.DataFrame) -> str:
    """Return the EPCI's official name, else « Intercommunalité de <largest commune> ».

    A SIREN is never a name: when the EPCI list (ADMIN EXPRESS ``epci`` layer,
    ``--source epci=…`` or the shipped official list) lacks it, the EPCI is named after its
    most populous commune (``--nom`` gives the name people use).
    """
    if epci is not None:
        hit = epci[epci["siren_epci"].astype(str) == siren]
        if not hit.empty:
            return str(hit.iloc[0]["nom"])
    if "population" in members.columns:
        members = members.sort_values("population", ascending=False, kind="stable")
    return f"Intercommunalité {of_name(str(members.iloc[0]['nom']))}"


def of_name(name: str) -> str:
    """Return « de <name> » with French elision and contraction (d'Angers, du Mans)."""
    words = name.split(" ", 1)
    if len(words) == 2 and words[0] == "Le":
        return f"du {words[1]}"
    if len(words) == 2 and words[0] == "Les":
        return f"des {words[1]}"
    return f"d'{name}" if fold(name)[:1] in tuple("aeiouyh") else f"de {name}"


def _by_name(
    query: str, communes: pd.DataFrame, epci: pd.DataFrame | None, where: str
) -> Selection:
    wanted = name_keys(query)
    names = communes["nom"].astype(str).map(name_keys)
    hits = communes[names.map(lambda keys: bool(keys & wanted)).astype(bool)]
    epci_hits = pd.DataFrame(columns=["siren_epci", "nom"])
    if epci is not None:
        epci_keys = epci["nom"].astype(str).map(lambda n: name_keys(n, epci=True))
        match = epci_keys.map(lambda keys: bool(keys & wanted)).astype(bool)
        in_table = epci["siren_epci"].astype(str).isin(set(communes["siren_epci"].astype(str)))
        epci_hits = epci[match & in_table]
    if len(hits) == 1:  # an exact commune name wins over an EPCI named after it
        row = hits.iloc[0]
        code = str(row["insee_com"])
        return Selection(code, str(row["nom"]), "commune", str(row["siren_epci"]), (code,))
    if len(hits) == 0 and len(epci_hits) == 1:
        return select_communes(str(epci_hits.iloc[0]["siren_epci"]), communes, epci=epci)
    if len(hits) + len(epci_hits) > 1:
        listed = [f"{r.nom} ({r.insee_com})" for r in hits.itertuples()]
        listed += [f"{r.nom} (EPCI {r.siren_epci})" for r in epci_hits.itertuples()]
        raise InputError(
            f"territoire {query!r} ambigu : {', '.join(listed[:10])} — précisez le code INSEE "
            "ou le SIREN"
        )
    pool = list(communes["nom"].astype(str)) + (
        list(epci["nom"].astype(str)) if epci is not None else []
    )
    close = difflib.get_close_matches(query, pool, n=3, cutoff=0.75)
    hint = f" (noms proches : {', '.join(close)})" if close else ""
    raise InputError(
        f"territoire {query!r} introuvable{where} : aucun nom de commune ni d'EPCI ne correspond"
        f"{hint} — attendu un code commune INSEE, un SIREN d'EPCI ou un nom exact"
    )


def build_territory(
    selection: Selection,
    communes: gpd.GeoDataFrame,
    qpv: gpd.GeoDataFrame,
    *,
    margin_m: float = DEFAULT_MARGIN_M,
) -> Territory:
    """Assemble a :class:`Territory` from a selection, commune geometries and QPV.

    ``communes`` may hold more communes than the selection (they are filtered); both
    layers must be in EPSG:2154.
    """
    if margin_m < 0:
        raise InputError(f"marge de découpage {margin_m} m négative — attendu ≥ 0")
    for label, frame in (("communes", communes), ("QPV", qpv)):
        if frame.crs is None or not frame.crs.equals(L93):
            raise InputError(f"couche {label} en {frame.crs}, attendu {L93} (Lambert-93)")
    wanted = set(selection.commune_codes)
    mine = communes[communes["insee_com"].astype(str).isin(wanted)].reset_index(drop=True)
    missing = sorted(wanted - set(mine["insee_com"].astype(str)))
    if missing:
        raise InputError(
            f"communes {', '.join(missing[:10])} sans géométrie dans la couche des communes "
            "— attendu une géométrie par commune du territoire"
        )
    belongs = (
        qpv["insee_coms"]
        .astype(str)
        .map(lambda value: any(code in wanted for code in value.split(",")))
    )
    my_qpv = qpv[belongs.astype(bool)].reset_index(drop=True)
    return Territory(
        code=selection.code,
        name=selection.name,
        kind=selection.kind,
        siren_epci=selection.siren_epci,
        communes=mine,
        qpv=my_qpv,
        margin_m=float(margin_m),
        bbox_2154=_bbox(mine.geometry.to_numpy(), margin_m, None),
        bbox_3035=_bbox(mine.to_crs(CELL_CRS).geometry.to_numpy(), margin_m, CELL_SIZE_M),
    )


def resolve_territory(
    query: str,
    communes: gpd.GeoDataFrame,
    qpv: gpd.GeoDataFrame,
    *,
    epci: pd.DataFrame | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
) -> Territory:
    """Resolve a territory by INSEE code, EPCI SIREN or name against a communes layer.

    Parameters
    ----------
    query
        ``85191``, ``248500589``, ``La Roche-sur-Yon``…
    communes
        :data:`~quartiers.schemas.COMMUNE_COLUMNS` in EPSG:2154.
    qpv
        :data:`~quartiers.schemas.QPV_COLUMNS` in EPSG:2154.
    epci
        Optional EPCI list (:data:`quartiers.sources.communes.EPCI_COLUMNS`) for names.
    margin_m
        Clip margin around the communes (m).
    """
    selection = select_communes(query, communes, epci=epci)
    return build_territory(selection, communes, qpv, margin_m=margin_m)


def _bbox(geoms: Sequence[shapely.Geometry] | np.ndarray, margin: float, snap: int | None) -> BBox:
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(np.asarray(geoms)))
    box = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    if snap:
        box = (
            float(np.floor(box[0] / snap) * snap),
            float(np.floor(box[1] / snap) * snap),
            float(np.ceil(box[2] / snap) * snap),
            float(np.ceil(box[3] / snap) * snap),
        )
    return box
