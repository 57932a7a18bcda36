"""The demo's energy performance certificates, as an ADEME ``dpe03existant`` CSV export.

The file is what the data-fair API returns for ``lines?format=csv&select=…``: UTF-8 with a
byte-order mark, comma-separated, text quoted, numbers bare, empty fields empty, the
selected columns in the dataset's order. About a quarter of the dwellings of each
residential building get a certificate (dwellings sold or let since July 2021); classes
are drawn from the construction period (old houses worst), the summer-comfort indicator is
filled in about 60 % of them (as in the real data), heating energy by building type. A few
collective buildings have one building certificate (« immeuble ») instead; a few
certificates are replaced by a later one (``numero_dpe_remplace``) and a few could not be
geocoded by the BAN (their point is the town hall): the reader drops both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.random import Generator

from quartiers.demo._geometry import Warp
from quartiers.demo._layout import Layout, Zone

__all__ = ["DPE_COLUMNS", "dpe_records", "write_dpe"]

#: Columns of the export, in the order of the official dataset (a ``select`` of its 226).
DPE_COLUMNS = [
    "numero_dpe", "date_etablissement_dpe", "numero_dpe_remplace", "modele_dpe",
    "version_dpe", "etiquette_dpe", "etiquette_ges", "type_batiment", "periode_construction",
    "nombre_appartement", "surface_habitable_logement", "adresse_ban", "nom_commune_ban",
    "code_postal_ban", "code_insee_ban", "code_departement_ban",
    "coordonnee_cartographique_x_ban", "coordonnee_cartographique_y_ban", "statut_geocodage",
    "indicateur_confort_ete", "type_energie_principale_chauffage",
]  # fmt: skip
_NUMBERS = {
    "version_dpe",
    "nombre_appartement",
    "surface_habitable_logement",
    "coordonnee_cartographique_x_ban",
    "coordonnee_cartographique_y_ban",
}
_CLASSES = np.array(list("ABCDEFG"))
# Class probabilities per construction period (Filosofi order: <1945, 1945–70, 1970–90,
# >1990, unknown); houses shift one class worse with probability 0.3.
_CLASS_P = np.array(
    [
        [0.00, 0.02, 0.12, 0.30, 0.28, 0.17, 0.11],
        [0.00, 0.02, 0.18, 0.36, 0.26, 0.12, 0.06],
        [0.01, 0.04, 0.28, 0.38, 0.19, 0.07, 0.03],
        [0.03, 0.16, 0.50, 0.25, 0.05, 0.01, 0.00],
        [0.01, 0.05, 0.25, 0.34, 0.20, 0.10, 0.05],
    ]
)
_PERIODS = [
    ["avant 1948"],
    ["1948-1974"],
    ["1975-1977", "1978-1982", "1983-1988"],
    ["1989-2000", "2001-2005", "2006-2012", "2013-2021"],
    ["1948-1974", "1989-2000"],
]
# P(summer comfort « insuffisant », « moyen ») when filled, per period; « bon » otherwise.
_COMFORT_P = np.array(
    [[0.40, 0.40], [0.45, 0.40], [0.35, 0.45], [0.15, 0.45], [0.35, 0.40]]
)  # fmt: skip
_HEATING = ["Électricité", "Gaz naturel", "Fioul domestique", "Réseau de Chauffage urbain"]
_STATUS_OK = "adresse géocodée ban à l'adresse"
_STATUS_NO = "adresse non géocodée ban car aucune correspondance trouvée"
_STREETS = ["rue des Tilleuls", "rue du Moulin", "avenue de la Gare", "place du Marché"]
_START = dt.date(2021, 7, 1)
_DAYS = (dt.date(2026, 6, 30) - _START).days


def _heating(rng: Generator, house: bool, zone: int) -> str:
    if zone == int(Zone.GRANDS_ENSEMBLES):
        p = [0.25, 0.30, 0.0, 0.45]
    elif house:
        p = [0.45, 0.38, 0.17, 0.0]
    else:
        p = [0.45, 0.48, 0.04, 0.03]
    return _HEATING[int(rng.choice(4, p=p))]


def _row(
    rng: Generator, b: pd.Series, at: tuple[float, float, str, str], n: int
) -> dict[str, object]:
    x, y, commune, name = at
    house = b["building"] == "house"
    period = int(b["period"])
    cls = int(rng.choice(7, p=_CLASS_P[period]))
    if house and rng.random() < 0.3:
        cls = min(cls + 1, 6)
    comfort = ""
    if rng.random() < 0.62:
        u = rng.random()
        low, mid = _COMFORT_P[period]
        comfort = "insuffisant" if u < low else "moyen" if u < low + mid else "bon"
    date = _START + dt.timedelta(days=int(rng.integers(_DAYS)))
    choices = _PERIODS[period]
    return {
        "numero_dpe": f"{date.year % 100:02d}00E{n:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[n % 23]}",
        "date_etablissement_dpe": date.isoformat(),
        "numero_dpe_remplace": "",
        "modele_dpe": "DPE 3CL 2021 méthode logement",
        "version_dpe": 2.4,
        "etiquette_dpe": str(_CLASSES[cls]),
        "etiquette_ges": str(_CLASSES[max(0, cls - int(rng.integers(0, 3)))]),
        "type_batiment": "maison" if house else "appartement",
        "periode_construction": choices[int(rng.integers(len(choices)))],
        "nombre_appartement": "" if house else int(b["dwellings"]),
        "surface_habitable_logement": round(float(b["flat_m2"]), 1),
        "adresse_ban": f"{int(rng.integers(1, 80))} {_STREETS[int(rng.integers(4))]}",
        "nom_commune_ban": name,
        "code_postal_ban": "",
        "code_insee_ban": commune,
        "code_departement_ban": "00",
        "coordonnee_cartographique_x_ban": round(x + float(rng.normal(0, 2.0)), 2),
        "coordonnee_cartographique_y_ban": round(y + float(rng.normal(0, 2.0)), 2),
        "statut_geocodage": _STATUS_OK,
        "indicateur_confort_ete": comfort,
        "type_energie_principale_chauffage": _heating(rng, bool(house), int(b["zone"])),
    }


def dpe_records(
    layout: Layout, warp: Warp, buildings: pd.DataFrame, rng: Generator
) -> list[dict[str, object]]:
    """Return the demo's certificates, one dict per row of the export."""
    homes = buildings[buildings["residential"] & (buildings["dwellings"] > 0)]
    u = ((homes["x0"] + homes["x1"]) / 2).to_numpy(dtype="float64")
    v = ((homes["y0"] + homes["y1"]) / 2).to_numpy(dtype="float64")
    x, y = warp.xy(u, v)
    communes = layout.commune_of(u, v)
    names = {c.code: c.name for c in layout.communes}
    rows: list[dict[str, object]] = []
    for k, (_, b) in enumerate(homes.iterrows()):
        at = (float(x[k]), float(y[k]), str(communes[k]), names.get(str(communes[k]), ""))
        if b["building"] != "house" and rng.random() < 0.03:
            row = _row(rng, b, at, len(rows) + 1)
            row["type_batiment"] = "immeuble"
            rows.append(row)
            continue
        for _ in range(int(rng.binomial(int(b["dwellings"]), 0.25))):
            row = _row(rng, b, at, len(rows) + 1)
            if rng.random() < 0.02:  # not geocoded: the BAN put it at the town hall
                row["statut_geocodage"] = _STATUS_NO
                row["coordonnee_cartographique_x_ban"] = round(float(x[0]), 2)
                row["coordonnee_cartographique_y_ban"] = round(float(y[0]), 2)
            rows.append(row)
            if rng.random() < 0.02:  # corrected later: a new certificate replaces it
                new = _row(rng, b, at, len(rows) + 1)
                new["numero_dpe_remplace"] = row["numero_dpe"]
                rows.append(new)
    return rows


def write_dpe(rows: list[dict[str, object]], path: Path) -> None:
    """Write ``rows`` as the data-fair CSV export (BOM, « , », quoted text, LF)."""
    lines = [",".join(f'"{c}"' for c in DPE_COLUMNS)]
    lines += [",".join(_cell(c, row[c]) for c in DPE_COLUMNS) for row in rows]
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))


def _cell(column: str, value: object) -> str:
    if value == "" or value is None:
        return ""
    if column in _NUMBERS:
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value).replace('"', '""')
    return f'"{text}"'
