"""Facilities of the demo territory, shared by the BPE, OpenStreetMap and the city's list.

One list of facilities feeds three files, as in real life: the BPE (INSEE codes), the OSM
extract (tags; about one pharmacy, doctor or school in ten is missing from OSM, while
churches, fountains and community centres are in OSM only) and the city's list of cool
rooms. Large facilities (town hall, hospital, pool, schools…) own a lattice square and
get a building; the others are points placed where people live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator

from quartiers.demo._buildings import Footprint
from quartiers.demo._geometry import STEP_M
from quartiers.demo._layout import Layout, Zone

__all__ = ["Facility", "place_landmarks", "place_points"]

_LIVING = [
    int(z)
    for z in (
        Zone.CENTRE_ANCIEN,
        Zone.CENTRE,
        Zone.GRANDS_ENSEMBLES,
        Zone.COLLECTIF,
        Zone.PAVILLONNAIRE,
        Zone.VILLAGE_CENTRE,
        Zone.VILLAGE,
    )
]


@dataclass
class Facility:
    """One facility: plan position, BPE code (None if absent), OSM tags (None if absent)."""

    key: str
    name: str
    u: float
    v: float
    commune: str
    typequ: list[str] = field(default_factory=list)  # BPE rows at this place (one per code)
    osm: dict[str, str] | None = None
    footprint: Footprint | None = None
    square: tuple[int, int] | None = None


# key, name, target (plan m), BPE codes, OSM tags, footprint (w, d, storeys, building)
_LANDMARKS: list[tuple[str, str, tuple[float, float], list[str], dict[str, str] | None,
                       tuple[float, float, int, str]]] = [
    ("mairie", "Mairie de Ville-Témoin", (150, 450), ["A129"], {"amenity": "townhall"},
     (38, 24, 3, "civic")),
    ("mediatheque", "Médiathèque de l'Horloge", (350, 850), ["F307"], {"amenity": "library"},
     (45, 30, 3, "civic")),
    ("musee", "Musée de l'Essai", (-250, 650), ["F312"], {"tourism": "museum"},
     (35, 25, 2, "yes")),
    ("eglise", "Église Saint-Exemple", (50, 650), [], {
        "amenity": "place_of_worship", "religion": "christian", "denomination": "catholic"},
     (45, 20, 1, "church")),
    ("maison_quartier_centre", "Maison de quartier des Halles", (300, 300), [],
     {"amenity": "community_centre"}, (25, 18, 2, "civic")),
    ("hopital", "Centre hospitalier de Ville-Témoin", (-900, 700), ["D101", "D106"],
     {"amenity": "hospital", "healthcare": "hospital", "emergency": "yes"},
     (80, 60, 5, "hospital")),
    ("piscine", "Centre aquatique des Eaux-Vives", (1300, 1200), ["F101"],
     {"leisure": "sports_centre", "sport": "swimming"}, (60, 40, 2, "sports_centre")),
    ("multiplexe", "Méga-Ciné des Prototypes", (3100, 1400), ["F303"], {"amenity": "cinema"},
     (70, 50, 2, "commercial")),
    ("centre_commercial", "Centre commercial des Prototypes", (2600, 1300), [],
     {"shop": "mall"}, (84, 70, 1, "retail")),
    ("maison_quartier_plateau", "Maison de quartier du Plateau", (1200, -1800), ["A128"],
     {"amenity": "community_centre"}, (30, 20, 1, "civic")),
    ("mosquee", "Mosquée du Plateau", (2250, -1650), [],
     {"amenity": "place_of_worship", "religion": "muslim"}, (25, 20, 1, "mosque")),
    ("college_plateau", "Collège du Plateau", (1600, -2400), ["C201"], {"amenity": "school"},
     (60, 35, 3, "school")),
    ("college_horloge", "Collège de l'Horloge", (-600, 300), ["C201"], {"amenity": "school"},
     (60, 35, 3, "school")),
    ("college_coteaux", "Collège des Coteaux", (900, 2200), ["C201"], {"amenity": "school"},
     (60, 35, 3, "school")),
    ("lycee", "Lycée Marie-Témoin", (1400, 600), ["C301"], {"amenity": "school"},
     (70, 40, 3, "school")),
    ("lycee_pro", "Lycée professionnel des Métiers", (2100, 900), ["C302"],
     {"amenity": "school"}, (70, 40, 2, "school")),
]  # fmt: skip

_VILLAGE_LANDMARKS = [
    ("mairie", "Mairie de {c}", (30, -60), ["A129"], {"amenity": "townhall"}, (25, 15, 2, "civic")),
    ("eglise", "Église de {c}", (-70, 40), [], {
        "amenity": "place_of_worship", "religion": "christian", "denomination": "catholic"},
     (35, 15, 1, "church")),
]  # fmt: skip

_PHARMACY_NAMES = [
    "du Pont", "des Halles", "de la Gare", "du Marché", "de l'Horloge", "des Coteaux",
    "du Centre", "de la Rocade", "des Tilleuls", "du Moulin", "de la Fontaine", "des Lilas",
    "de l'Abbaye", "du Stade", "des Écoles", "de la Source", "du Calvaire", "des Vignes",
]  # fmt: skip


def _nearest_square(
    squares: pd.DataFrame, target: tuple[float, float], taken: set[tuple[int, int]]
) -> tuple[int, int]:
    si = squares["i"].to_numpy(dtype=np.int64)
    sj = squares["j"].to_numpy(dtype=np.int64)
    d2 = (si * STEP_M + STEP_M / 2 - target[0]) ** 2 + (sj * STEP_M + STEP_M / 2 - target[1]) ** 2
    for idx in np.argsort(d2, kind="stable"):
        key = (int(si[idx]), int(sj[idx]))
        if key not in taken:
            return key
    raise ValueError("no free lattice square left")  # pragma: no cover - plan guarantees room


def place_landmarks(layout: Layout, squares: pd.DataFrame, rng: Generator) -> list[Facility]:
    """Return the facilities that own a lattice square, schools sampled across the town."""
    living = squares[squares["zone"].isin(_LIVING)]
    taken: set[tuple[int, int]] = set()
    out: list[Facility] = []

    def add(
        key: str,
        name: str,
        target: tuple[float, float],
        codes: list[str],
        osm: dict[str, str] | None,
        fp: tuple[float, float, int, str],
    ) -> None:
        sq = _nearest_square(living, target, taken)
        taken.add(sq)
        u, v = sq[0] * STEP_M + STEP_M / 2, sq[1] * STEP_M + STEP_M / 2
        commune = str(layout.commune_of(np.array([u]), np.array([v]))[0])
        tags = None if osm is None else {**osm, "name": name, "building": fp[3]}
        foot = Footprint(key, fp[0], fp[1], fp[2], fp[3], tags or {})
        out.append(Facility(key, name, u, v, commune, codes, tags, foot, sq))

    for key, name, target, codes, osm, fp in _LANDMARKS:
        add(key, name, target, codes, osm, fp)
    for commune in layout.communes[1:]:
        bx, by = commune.bourg
        for key, name, offset, codes, osm, fp in _VILLAGE_LANDMARKS:
            add(
                f"{key}_{commune.code}",
                name.format(c=commune.name),
                (bx + offset[0], by + offset[1]),
                codes,
                osm,
                fp,
            )
        if commune.code == "00003":
            add(
                "piscine_00003",
                "Piscine intercommunale de Bourg-Modèle",
                (bx + 250, by - 150),
                ["F101"],
                {"leisure": "sports_centre", "sport": "swimming"},
                (50, 30, 1, "sports_centre"),
            )
    # Groupes scolaires (nursery + elementary), spread at least 550 m apart.
    weights = living["zone"].map({int(Zone.PAVILLONNAIRE): 1.0, int(Zone.VILLAGE): 0.6}).fillna(3.0)
    cu = living["i"].to_numpy() * STEP_M + STEP_M / 2
    cv = living["j"].to_numpy() * STEP_M + STEP_M / 2
    p = weights.to_numpy() / weights.sum()
    sites: list[tuple[float, float]] = []
    for idx in rng.choice(len(living), size=400, p=p):
        if len(sites) >= 17:
            break
        if all((cu[idx] - a) ** 2 + (cv[idx] - b) ** 2 > 550.0**2 for a, b in sites):
            sites.append((float(cu[idx]), float(cv[idx])))
    for n, (u, v) in enumerate(sites, start=1):
        add(
            f"ecole_{n:02d}",
            f"Groupe scolaire n° {n}",
            (u, v),
            ["C107", "C108"],
            {"amenity": "school"},
            (50, 30, 2, "school"),
        )
    return out


class _Points:
    """Draws squares in proportion to their households and records the facilities."""

    def __init__(self, layout: Layout, households: pd.DataFrame, rng: Generator) -> None:
        self.hh = households[households["households"] > 0].reset_index(drop=True)
        self.cu = self.hh["i"].to_numpy() * STEP_M + STEP_M / 2
        self.cv = self.hh["j"].to_numpy() * STEP_M + STEP_M / 2
        self.commune = layout.commune_of(self.cu, self.cv)
        self.zone = self.hh["zone"].to_numpy()
        self.rng = rng
        self.out: list[Facility] = []
        self.town = self.commune == "00001"
        self.ge = self.zone == int(Zone.GRANDS_ENSEMBLES)

    def draw(self, mask: np.ndarray, n: int) -> list[int]:
        """Return ``n`` squares among ``mask``, in proportion to their households."""
        w = self.hh["households"].to_numpy() * mask
        if w.sum() == 0:
            return []
        return [int(k) for k in self.rng.choice(len(self.hh), size=n, p=w / w.sum())]

    def village(self, c: str) -> np.ndarray:
        """Return the squares of the centre of village ``c``."""
        return np.asarray((self.commune == c) & (self.zone == int(Zone.VILLAGE_CENTRE)))

    def nearest(self, tu: float, tv: float) -> int:
        """Return the square nearest to ``(tu, tv)``."""
        return int(np.argmin((self.cu - tu) ** 2 + (self.cv - tv) ** 2))

    def add(
        self, key: str, name: str, idx: int, codes: list[str], osm: dict[str, str] | None
    ) -> None:
        """Record a facility near square ``idx``."""
        u = float(self.cu[idx] + self.rng.uniform(-18, 18))
        v = float(self.cv[idx] + self.rng.uniform(-18, 18))
        tags = None if osm is None else {**osm, "name": name}
        self.out.append(Facility(key, name, u, v, str(self.commune[idx]), codes, tags))


def place_points(
    layout: Layout,
    households: pd.DataFrame,
    rng: Generator,
) -> list[Facility]:
    """Return point facilities, drawn among squares in proportion to their households.

    ``households`` has one row per lattice square: ``i, j, zone, households``.
    """
    points = _Points(layout, households, rng)
    _health(points)
    _culture_and_care(points)
    return [*points.out, *_fountains(layout, rng)]


def _health(p: _Points) -> None:
    """Pharmacies, doctors' surgeries, health centres."""
    town, ge = p.town, p.ge
    names = iter(_PHARMACY_NAMES)
    pharmacies = (
        p.draw(ge, 1) + p.draw(p.zone == int(Zone.CENTRE_ANCIEN), 3) + p.draw(town & ~ge, 11)
    )
    for c in ("00002", "00003", "00004"):
        pharmacies += p.draw(p.village(c), 1)
    for n, idx in enumerate(pharmacies, start=1):
        name = f"Pharmacie {next(names, f'n° {n}')}"
        p.add(
            f"pharmacie_{n:02d}",
            name,
            idx,
            ["D307"],
            {"amenity": "pharmacy", "healthcare": "pharmacy", "dispensing": "yes"},
        )
    # Doctors' surgeries: one BPE row per general practitioner, one OSM node per surgery.
    surgeries = p.draw(ge, 1) + p.draw(town & ~ge, 11)
    for n, idx in enumerate(surgeries, start=1):
        gps = 2 if ge[idx] else int(p.rng.integers(2, 6))
        p.add(
            f"cabinet_{n:02d}",
            f"Cabinet médical n° {n}",
            idx,
            ["D265"] * gps,
            {"amenity": "doctors", "healthcare": "doctor", "healthcare:speciality": "general"},
        )
    for c in ("00002", "00003", "00004"):
        for idx in p.draw(p.village(c), 1):
            p.add(
                f"msp_{c}",
                "Maison de santé pluriprofessionnelle",
                idx,
                ["D113", "D265", "D265", "D265"],
                {"amenity": "doctors", "healthcare": "centre"},
            )
    for idx in p.draw(ge, 1):
        p.add(
            "centre_sante_plateau",
            "Centre de santé du Plateau",
            idx,
            ["D108", "D265", "D265"],
            {"amenity": "clinic", "healthcare": "centre"},
        )


def _culture_and_care(p: _Points) -> None:
    """Libraries, the cinema, crèches and nursing homes."""
    town, ge = p.town, p.ge
    libraries = [
        ("bibliotheque_plateau", "Bibliothèque du Plateau", (700.0, -1350.0)),
        ("bibliotheque_coteaux", "Bibliothèque des Coteaux", (-1200.0, 1800.0)),
    ]
    for key, name, (tu, tv) in libraries:
        p.add(key, name, p.nearest(tu, tv), ["F307"], {"amenity": "library"})
    for c, cname in (("00002", "Saint-Fictif"), ("00003", "Bourg-Modèle")):
        for idx in p.draw(p.village(c), 1):
            p.add(
                f"bibliotheque_{c}",
                f"Bibliothèque de {cname}",
                idx,
                ["F307"],
                {"amenity": "library"},
            )
    idx = p.nearest(200.0, 950.0)
    p.add("cinema_palace", "Cinéma Le Palace", idx, ["F303"], {"amenity": "cinema"})
    for n, idx in enumerate(p.draw(town, 5) + p.draw(~town, 2), start=1):
        p.add(f"creche_{n:02d}", f"Crèche n° {n}", idx, ["D502"], {"amenity": "childcare"})
    for n, idx in enumerate(p.draw(town & ~ge, 3) + p.draw(p.commune == "00003", 1), start=1):
        p.add(
            f"ehpad_{n:02d}",
            f"Résidence Les Glycines n° {n}",
            idx,
            [],
            {"amenity": "social_facility", "social_facility": "nursing_home"},
        )


def _fountains(layout: Layout, rng: Generator) -> list[Facility]:
    """Drinking-water fountains (OSM only): in the larger parks and old-centre squares."""
    out: list[Facility] = []
    spots = [p.polygon for p in layout.parks if shapely.area(p.polygon) > 10_000.0]
    spots += [shapely.Point(100.0, 500.0).buffer(60.0), shapely.Point(-100.0, 350.0).buffer(40.0)]
    for n, poly in enumerate(spots, start=1):
        pt = shapely.point_on_surface(poly)
        u = float(shapely.get_x(pt) + rng.uniform(-10, 10))
        v = float(shapely.get_y(pt) + rng.uniform(-10, 10))
        commune = str(layout.commune_of(np.array([u]), np.array([v]))[0])
        out.append(
            Facility(
                f"fontaine_{n:02d}",
                "Fontaine",
                u,
                v,
                commune,
                [],
                {"amenity": "drinking_water", "drinking_water": "yes"},
            )
        )
    return out
