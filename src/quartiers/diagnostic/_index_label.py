"""Say what an index measures and what it lacks, in French (``index_label``, ``index_note``).

Private to :mod:`quartiers.diagnostic._tables`. An index built without a dimension, or whose
exposure is a commune-wide climate value, is labelled for what it measures (« indice social et
climatique communal — exposition intra-urbaine non mesurée »), with a sentence naming the
missing layers and the command-line option that adds each one. The same words explain why a
QPV is « incomplet » (``status_detail``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from quartiers.indicators.exposure import CLIMATE_IDS
from quartiers.indicators.registry import DIMENSIONS, REGISTRY

__all__ = [
    "FULL_LABEL",
    "LAYERS",
    "RowState",
    "incomplete_detail",
    "index_label",
    "index_note",
    "layers_of",
]

#: Label of an index built on every dimension with intra-urban exposure.
FULL_LABEL = "indice de vulnérabilité aux vagues de chaleur"

#: Input layer id → (what is missing, in French ; how to add it on the command line).
LAYERS: dict[str, tuple[str, str]] = {
    "filosofi": ("les données carroyées Filosofi de l'INSEE", "--source filosofi=FICHIER"),
    "night_heat": (
        "la chaleur nocturne (raster d'îlot de chaleur ou de température de surface nocturne)",
        "--source chaleur_nuit=FICHIER.tif",
    ),
    "rp_iris": (
        "les tables du recensement par IRIS de l'INSEE et les contours des IRIS",
        "--source rp_iris=DOSSIER",
    ),
    "lcz": ("les zones climatiques locales (LCZ) du Cerema", "--source lcz=FICHIER"),
    "buildings": (
        "les bâtiments et la voirie (OpenStreetMap ou BD TOPO)",
        "--source osm=EXTRAIT.osm.pbf ou --source bdtopo=DOSSIER",
    ),
    "climate": (
        "les projections climatiques de Météo-France (Climadiag Commune ou DRIAS)",
        "--source climadiag=FICHIER ou --source drias=FICHIER",
    ),
    "vegetation": (
        "les arbres et les espaces verts (OpenStreetMap ou BD TOPO)",
        "--source osm=EXTRAIT.osm.pbf ou --source bdtopo=DOSSIER",
    ),
    "access": (
        "les distances à pied aux lieux frais, de soins et d'information (réseau de rues "
        "OpenStreetMap)",
        "--source osm=EXTRAIT.osm.pbf",
    ),
}

_INDICATOR_LAYER = {
    "night_heat": "night_heat",
    "share_80p_alone": "rp_iris",
    "persons_per_room": "rp_iris",
    "lcz_heat": "lcz",
    "impervious_share": "buildings",
    "built_share": "buildings",
    **dict.fromkeys(CLIMATE_IDS, "climate"),
    "canopy_share": "vegetation",
    "green_share": "vegetation",
}

# Short French names of the dimensions inside sentences (all feminine).
_DIM_WORD = {"sensitivity": "sensibilité", "exposure": "exposition", "resources": "ressources"}


def _layer(indicator_id: str) -> str:
    if indicator_id in _INDICATOR_LAYER:
        return _INDICATOR_LAYER[indicator_id]
    if indicator_id.startswith("dist_"):
        return "access"
    ind = REGISTRY.get(indicator_id)
    if ind is not None and "Filosofi" in ind.source:
        return "filosofi"
    return f"source:{ind.source if ind is not None else indicator_id}"


def layers_of(indicator_ids: Iterable[str]) -> list[str]:
    """Return the input layers the given indicators come from, in :data:`LAYERS` order."""
    found = list(dict.fromkeys(_layer(i) for i in indicator_ids))
    order = list(LAYERS)
    return sorted(found, key=lambda x: (order.index(x) if x in order else len(order), x))


def _what(layer: str) -> str:
    return LAYERS[layer][0] if layer in LAYERS else f"la source « {layer.split(':', 1)[1]} »"


def _how(layer: str) -> str:
    return LAYERS[layer][1] if layer in LAYERS else "voir « quartiers sources »"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " et " + words[-1]


@dataclass(frozen=True)
class RowState:
    """What one unit's index is built on.

    Attributes
    ----------
    measured
        Dimensions with a score computed from data.
    imputed
        Dimensions whose score was imputed (``missing_dimension: impute``).
    commune_exposure
        The exposure score rests on commune-wide climate values only.
    missing_layers
        Input layers the method uses that give no value for this unit.
    communes_without_climate
        ``Nom (code)`` of the unit's communes that have no climate projection.
    dimension_layers
        Of ``missing_layers``, those whose absence empties a whole dimension of the unit.
    """

    measured: frozenset[str]
    imputed: frozenset[str]
    commune_exposure: bool
    missing_layers: tuple[str, ...]
    communes_without_climate: tuple[str, ...] = ()
    dimension_layers: tuple[str, ...] = ()


def _head(state: RowState) -> str:
    dims = state.measured | state.imputed
    social = "sensitivity" in dims
    exposure = "exposure" in dims
    resources = "resources" in dims
    if social and exposure and resources:
        return FULL_LABEL
    climate = "climatique communal" if state.commune_exposure else "d'exposition à la chaleur"
    if social and exposure:
        return f"indice social et {climate}"
    if social and resources:
        return "indice social et des ressources"
    if social:
        return "indice social"
    own = "indice climatique communal" if state.commune_exposure else "indice d'exposition"
    if exposure and resources:
        return f"{own} et des ressources"
    if exposure:
        return own
    if resources:
        return "indice des ressources"
    return "indice non calculé"


def index_label(state: RowState, dimension_ids: Collection[str]) -> str:
    """Return the French label of what a unit's index measures."""
    absent = [d for d in DIMENSIONS if d not in state.measured | state.imputed]
    lacking = [_DIM_WORD[d] for d in DIMENSIONS if d in absent]
    if "exposure" not in absent and state.commune_exposure:
        lacking.insert(0, "exposition intra-urbaine")
    tail = []
    if lacking:
        plural = len(lacking) > 1 or lacking == ["ressources"]
        tail.append(f"{_join(lacking)} non mesurée{'s' if plural else ''}")
    if "exposure" in state.measured and "night_heat" in state.missing_layers:
        # Exposure is led by the night-heat raster when given: say what leads it instead.
        if "lcz" in state.missing_layers:
            tail.append("exposition sans chaleur nocturne ni LCZ")
        else:
            tail.append("exposition menée par les LCZ (sans chaleur nocturne)")
    imputed = [_DIM_WORD[d] for d in DIMENSIONS if d in state.imputed and d in dimension_ids]
    if imputed:
        tail.append(f"{_join(imputed)} imputée{'s' if len(imputed) > 1 else ''}")
    head = _head(state)
    return f"{head} — {' ; '.join(tail)}" if tail else head


def index_note(state: RowState) -> str:
    """Return the French sentence naming the missing layers and how to add them ('' if none)."""
    layers = list(state.missing_layers)
    if not layers:
        return ""
    parts = []
    for layer in layers:
        what = _what(layer)
        if layer == "climate" and state.communes_without_climate:
            what += f" pour {_join(list(state.communes_without_climate))}"
        parts.append(what)
    hows: list[str] = []
    for how in dict.fromkeys(_how(layer) for layer in layers):
        if not any(how in other for other in hows):
            hows = [h for h in hows if h not in how] + [how]
    return (
        f"Données absentes pour cet indice : {_join(parts)}. "
        f"Pour les ajouter, relancer « quartiers diagnose » avec {_join(hows)}."
    )


def incomplete_detail(
    missing: Collection[str], state: RowState, *, imputed: bool, fill: Mapping[str, float]
) -> str:
    """Return the ``status_detail`` of a unit lacking the dimensions ``missing``."""
    words = _join([_DIM_WORD.get(d, d) for d in DIMENSIONS if d in missing])
    plural = "s" if len(missing) > 1 else ""
    note = index_note(replace(state, missing_layers=state.dimension_layers or state.missing_layers))
    if imputed:
        values = _join(
            [
                f"{_DIM_WORD.get(d, d)} {fill[d]:.2f}".replace(".", ",")
                for d in DIMENSIONS
                if d in missing and d in fill
            ]
        )
        text = (
            f"dimension{plural} {words} imputée{plural} faute de données (moyenne du "
            f"territoire pondérée par la population : {values}) ; l'intervalle de rang couvre "
            "toute l'échelle de la dimension imputée"
        )
    else:
        article = "les" if plural else "la"
        text = (
            f"l'indice n'a pas {article} dimension{plural} {words}, que les autres QPV ont : "
            "publié "
            "à part, non classé avec eux (on ne compare que des indices construits sur les "
            "mêmes dimensions)"
        )
    return f"{text}. {note}" if note else f"{text}."
