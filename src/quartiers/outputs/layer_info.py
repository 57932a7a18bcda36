"""French titles and descriptions of the published layers (exports, OGC API, QGIS, metadata)."""

from __future__ import annotations

__all__ = ["LAYER_DESCRIPTIONS", "LAYER_ID_COLUMNS", "LAYER_TITLES"]

#: Layer → French title.
LAYER_TITLES: dict[str, str] = {
    "qpv": "Quartiers prioritaires (QPV)",
    "zones": "Zones de comparaison",
    "cells": "Carreaux INSEE de 200 m",
    "hotspots": "Points chauds de vulnérabilité",
    "contributions": "Contributions publiées des habitants",
}
#: Layer → French description.
LAYER_DESCRIPTIONS: dict[str, str] = {
    "cells": "Carreaux INSEE de 200 m : indicateurs, scores, indice et classe",
    "qpv": "Quartiers prioritaires : indicateurs, indice, rang, écarts au reste",
    "zones": "QPV, reste de la commune et reste de l'intercommunalité",
    "hotspots": "Points chauds de vulnérabilité (agrégats de carreaux)",
    "contributions": (
        "Lieux signalés par les habitants (chaleur ressentie, fraîcheur), publiés après "
        "modération ; sans donnée personnelle"
    ),
}
#: Layer → column holding the stable feature identifier.
LAYER_ID_COLUMNS: dict[str, str] = {
    "qpv": "code_qp",
    "zones": "zone_id",
    "cells": "idcar_200m",
    "hotspots": "idcar_200m",
    "contributions": "id",
}
