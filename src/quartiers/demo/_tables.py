"""Write the demo's tabular sources: BPE CSV, Climadiag ``entities.jsonl``, cool-room list."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.random import Generator

__all__ = [
    "BPE_COLUMNS",
    "PLACES_COLUMNS",
    "climadiag_records",
    "climadiag_series",
    "quality_noise",
    "write_bpe",
    "write_climadiag",
    "write_places",
]

#: BPE geolocated detail file columns (2024–2025 layout as read by public loaders; the
#: columns the project uses are those of SOURCES.md §3).
BPE_COLUMNS = [
    "AN", "NOMRS", "CNOMRS", "NUMVOIE", "INDREP", "TYPVOIE", "LIBVOIE", "CADR", "CODPOS",
    "DEPCOM", "DEP", "REG", "LIBCOM", "DOM", "SDOM", "TYPEQU", "SIRET", "STATUT_DIFFUSION",
    "CANTINE", "INTERNAT", "RPI", "EP", "CL_PGE", "SECT", "SECTEUR", "ACCES_AIRE_PRATIQUE",
    "ACCES_LIBRE", "ACCES_SANITAIRE", "ACCES_VESTIAIRE", "CAPACITE_D_ACCUEIL", "PRES_DOUCHE",
    "PRES_SANITAIRE", "SAISONNIER", "COUVERT", "ECLAIRE", "CATEGORIE", "MULTIPLEXE",
    "STRUCTURE_EXERCICE", "SPECIALITE", "ACCUEIL", "ITINERANCE", "MODE_GESTION", "SSTYPHEB",
    "TYPE", "IMPLANTATION_STATION", "CAPACITE", "INDIC_CAPA", "NBEQUIDENT",
    "INDIC_NBEQUIDENT", "NBSALLES", "INDIC_NBSALLES", "NBLIEUX", "INDIC_NBLIEUX",
    "LAMBERT_X", "LAMBERT_Y", "LONGITUDE", "LATITUDE", "QUALITE_XY", "EPSG",
    "QUALITE_GEOLOC", "TR_DIST_PRECISION", "DCIRIS", "QUALI_IRIS", "IRISEE", "QP2024",
    "QUALI_QP2024", "QP2015", "QUALI_QP2015", "QVA", "QUALI_QVA", "ZUS", "QUALI_ZUS",
    "EPCI", "UU2020", "BV2022", "AAV2020", "DENS3", "DENS7",
]  # fmt: skip

#: Layout of the city's list of cool rooms (« salles rafraîchies »), `;`-separated UTF-8.
PLACES_COLUMNS = ["nom", "type", "lon", "lat", "ouverture"]

# Geolocation quality → (QUALITE_GEOLOC, TR_DIST_PRECISION, positional error sd in m).
_QUALITY = {
    "B": ("11", "< 100", 3.0),
    "A": ("12", "[100 - 500[", 40.0),
    "M": ("33", ">= 500", 250.0),
}


def _ascii_upper(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return plain.upper().replace("'", " ").replace("°", "")


def write_bpe(rows: list[dict[str, object]], path: Path, rng: Generator) -> pd.DataFrame:
    """Write BPE rows as ``BPE24.csv`` (``;``-separated, UTF-8) and return the table.

    Each row is one facility × equipment code (one per doctor, as INSEE counts them) with
    ``typequ, name, street, postcode, depcom, libcom, qp, quality`` and the reported
    position ``x, y`` (Lambert-93 m) and ``lon, lat`` (WGS84), already displaced by the
    geolocation error of its quality. Columns the demo has no value for hold ``_Z``.
    """
    table = pd.DataFrame(rows)
    n = len(table)
    out = pd.DataFrame({c: ["_Z"] * n for c in BPE_COLUMNS})
    out["AN"] = "2024"
    out["NOMRS"] = [_ascii_upper(str(s)) for s in table["name"]]
    out["CNOMRS"] = ""
    out["NUMVOIE"] = [str(int(k)) for k in rng.integers(1, 90, n)]
    out["INDREP"] = ""
    out["TYPVOIE"] = "RUE"
    out["LIBVOIE"] = [_ascii_upper(str(s)) for s in table["street"]]
    out["CADR"] = ""
    out["CODPOS"] = table["postcode"].astype(str)
    out["DEPCOM"] = table["depcom"].astype(str)
    out["DEP"] = "00"
    out["REG"] = "00"
    out["LIBCOM"] = table["libcom"].astype(str)
    out["TYPEQU"] = table["typequ"].astype(str)
    out["DOM"] = out["TYPEQU"].str[0]
    out["SDOM"] = out["TYPEQU"].str[:2]
    out["SIRET"] = ""
    out["STATUT_DIFFUSION"] = "O"
    school = out["TYPEQU"].str.startswith("C")
    out.loc[school, "SECT"] = "PU"
    out.loc[school, "CANTINE"] = "1"
    out["LAMBERT_X"] = [f"{v:.1f}" for v in table["x"]]
    out["LAMBERT_Y"] = [f"{v:.1f}" for v in table["y"]]
    out["LONGITUDE"] = [f"{v:.6f}" for v in table["lon"]]
    out["LATITUDE"] = [f"{v:.6f}" for v in table["lat"]]
    out["QUALITE_XY"] = table["quality"].astype(str)
    out["EPSG"] = "2154"
    out["QUALITE_GEOLOC"] = [_QUALITY[q][0] for q in table["quality"]]
    out["TR_DIST_PRECISION"] = [_QUALITY[q][1] for q in table["quality"]]
    out["DCIRIS"] = table["depcom"].astype(str) + "0101"
    out["QUALI_IRIS"] = "1"
    out["QP2024"] = table["qp"].astype(str)
    out["QUALI_QP2024"] = "1"
    out["EPCI"] = "200000001"
    out["UU2020"] = "00701"
    out["BV2022"] = "00001"
    out["AAV2020"] = "001"
    out["DENS3"] = np.where(table["depcom"] == "00001", "2", "3")
    out["DENS7"] = np.where(table["depcom"] == "00001", "3", "5")
    out = out.sort_values(["DEPCOM", "TYPEQU", "NOMRS", "LAMBERT_X"], kind="stable")
    out.to_csv(path, sep=";", index=False, lineterminator="\n", encoding="utf-8")
    return out


def quality_noise(rng: Generator, n: int) -> tuple[list[str], np.ndarray]:
    """Draw BPE geolocation qualities and the matching positional errors (m), shape (n, 2)."""
    quality = rng.choice(np.array(["B", "A", "M"]), size=n, p=[0.86, 0.12, 0.02])
    sd = np.array([_QUALITY[str(q)][2] for q in quality])
    return [str(q) for q in quality], rng.normal(0.0, 1.0, (n, 2)) * sd[:, None]


# Climadiag indicators for a western-France town (days per year): reference 1976–2005 and
# means at TRACC +2 / +2.7 / +4 °C, magnitudes of La Roche-sur-Yon / Angers.
_CLIMATE = {
    "S1": (0.47, [1.90, 3.67, 7.32]),
    "S2": (2.50, [7.65, 12.95, 25.90]),
    "S3": (0.80, [6.95, 11.55, 20.15]),
    "S4": (3.63, [2.25, 1.95, 0.45]),
    "R2": (22.21, [24.17, 24.58, 25.32]),
    "R4": (2.83, [4.30, 7.70, 12.15]),
    "R5_ete": (76.00, [77.35, 81.55, 84.15]),
    "G4_ete": (22.83, [20.50, 19.95, 17.10]),
}
# Towns heat up more than villages: warm nights (S2) and heat-wave days (S3).
_URBAN_BOOST = {"S2": 1.12, "S3": 1.05}


def climadiag_series(
    rng: Generator, means: list[float], factors: tuple[float, ...], ref: float
) -> list[list[dict[str, float]]]:
    """Return one indicator's Climadiag ``data`` (one range per horizon, min < mean < max).

    Each horizon's mean is ``mean`` times ``factors`` in turn; the range around it is drawn
    from ``rng`` (two draws per horizon, low then high).
    """
    data = []
    for mean in means:
        m = mean
        for factor in factors:
            m = m * factor
        low, high = m * float(rng.uniform(0.55, 0.75)), m * float(rng.uniform(1.3, 1.6))
        data.append(
            [{"ref": ref, "min": round(low, 2), "mean": round(m, 2), "max": round(high, 2)}]
        )
    return data


def climadiag_records(communes: pd.DataFrame, rng: Generator) -> list[dict[str, object]]:
    """Return one Climadiag Commune record per commune (``entities.jsonl`` layout)."""
    records = []
    for row in communes.to_dict("records"):
        indicators = []
        for ind_id, (ref, means) in _CLIMATE.items():
            boost = _URBAN_BOOST.get(ind_id, 1.0) if row["code_insee"] == "00001" else 0.97
            jitter = float(rng.uniform(0.97, 1.03))
            ref_v = round(ref * jitter * (boost if ind_id in _URBAN_BOOST else 1.0), 2)
            factors = (jitter, boost) if ind_id in _URBAN_BOOST else (jitter,)
            data = climadiag_series(rng, means, factors, ref_v)
            indicators.append({"id": ind_id, "data": data})
        records.append(
            {
                "nom": row["nom_officiel"],
                "identifiant_insee": row["code_insee"],
                "code_recherche": row["postcode"],
                "identifiant_epci_parent": "200000001",
                "population": int(row["population"]),
                "indicateurs": indicators,
            }
        )
    return records


def write_climadiag(records: list[dict[str, object]], path: Path) -> None:
    """Write records as JSON Lines (one record per line, UTF-8)."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_places(rows: list[dict[str, object]], path: Path) -> None:
    """Write the city's cool rooms as ``nom;type;lon;lat;ouverture`` (UTF-8)."""
    table = pd.DataFrame(rows, columns=PLACES_COLUMNS)
    table["lon"] = [f"{v:.6f}" for v in table["lon"]]
    table["lat"] = [f"{v:.6f}" for v in table["lat"]]
    table.to_csv(path, sep=";", index=False, lineterminator="\n", encoding="utf-8")
