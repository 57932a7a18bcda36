"""Food places of the demo territory: shops and a market, shared and allotment gardens.

Drawn with their own random stream after everything else, so that the rest of the demo
(households, facilities, trees…) is the same with or without them. Shops are in the BPE
(2024 codes) and in OSM (``shop=*``); the market is in OSM only (``amenity=marketplace``),
as the BPE does not list open-air markets; gardens are OSM points ``landuse=allotments``
or ``leisure=garden`` + ``garden:type=community`` on an allotment, as often mapped.
The grands ensembles get fewer shops than the centre, as in many QPV.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.random import Generator

from quartiers.demo._facilities import Facility, _Points
from quartiers.demo._layout import Layout

__all__ = ["food_facilities"]

# kind, OSM shop tag, BPE code, French name, number in the town centre and suburbs, in the
# grands ensembles, in each village centre
_SHOPS = [
    ("supermarche", "supermarket", "B105", "Supermarché", 3, 0, 0),
    ("superette", "convenience", "B201", "Supérette", 2, 1, 1),
    ("boulangerie", "bakery", "B207", "Boulangerie", 7, 1, 1),
    ("boucherie", "butcher", "B204", "Boucherie", 3, 0, 0),
    ("primeur", "greengrocer", "B208", "Primeur", 2, 0, 0),
]
_GARDENS = [
    ("jardins_familiaux_coteaux", "Jardins familiaux des Coteaux", (900, 1900),
     {"landuse": "allotments"}),
    ("jardin_partage_halles", "Jardin partagé des Halles", (200, 150),
     {"leisure": "garden", "garden:type": "community", "landuse": "allotments"}),
    ("jardins_familiaux_fictive", "Jardins familiaux de la Fictive", (-1200, -300),
     {"landuse": "allotments"}),
]  # fmt: skip


def food_facilities(layout: Layout, households: pd.DataFrame, rng: Generator) -> list[Facility]:
    """Return the demo's food shops, market and gardens (``households``: ``i, j, zone,
    households`` per lattice square), drawn from ``rng`` only."""
    p = _Points(layout, households, rng)
    town = np.asarray(p.town & ~p.ge)
    for key, shop, code, name, n_town, n_ge, n_village in _SHOPS:
        squares = p.draw(town, n_town) + p.draw(np.asarray(p.ge), n_ge)
        for commune in layout.communes[1:]:
            squares += p.draw(p.village(commune.code), n_village)
        for n, idx in enumerate(squares, start=1):
            p.add(f"{key}_{n:02d}", f"{name} n° {n}", idx, [code], {"shop": shop})
    market = p.nearest(250.0, 400.0)  # place du Marché, by the town hall
    p.add("marche_halles", "Marché des Halles", market, [], {"amenity": "marketplace"})
    for key, name, target, tags in _GARDENS:
        p.add(key, name, p.nearest(*target), [], tags)
    return p.out
