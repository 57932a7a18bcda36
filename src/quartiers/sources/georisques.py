"""Géorisques API v1 (BRGM / ministère): CatNat decrees per commune, clay shrink-swell exposure.

- ``GET /gaspar/catnat?code_insee=…&page=…&page_size=…`` answers ``{results, page,
  total_pages, next, previous, data: [{code_national_catnat, date_debut_evt,
  date_fin_evt, date_publication_arrete, date_publication_jo, libelle_risque_jo,
  code_insee, libelle_commune}]}``; pages are followed through ``next``.
- ``GET /rga?latlon=<lon>,<lat>`` answers ``{exposition, codeExposition}`` (longitude
  first), sometimes wrapped in ``data: [...]``.

Answers are cached on disk by :class:`~quartiers.sources._http.Downloader`, so reruns and
offline mode reuse them.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quartiers.errors import InputError, SourceError
from quartiers.sources import validation as v
from quartiers.sources._http import Downloader
from quartiers.sources._text import require_file

__all__ = [
    "BASE_URL",
    "CATNAT_COLUMNS",
    "RGA_COLUMNS",
    "fetch_catnat",
    "fetch_rga",
    "read_catnat",
]

logger = logging.getLogger(__name__)

BASE_URL = "https://www.georisques.gouv.fr/api/v1"
#: CatNat decrees: commune, national id, hazard label, event start/end, decree and JO dates.
CATNAT_COLUMNS = [
    "insee_com",
    "code_national_catnat",
    "libelle_risque",
    "date_debut",
    "date_fin",
    "date_arrete",
    "date_jo",
]
#: Clay shrink-swell exposure at a point: key (e.g. a QPV code), label, code 0–3.
RGA_COLUMNS = ["key", "exposition", "code_exposition"]
_MAX_PAGES = 500


def _catnat_rows(records: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for rec in records:
        rows.append(
            [
                str(rec.get("code_insee") or ""),
                str(rec.get("code_national_catnat") or ""),
                str(rec.get("libelle_risque_jo") or ""),
                str(rec.get("date_debut_evt") or ""),
                str(rec.get("date_fin_evt") or ""),
                str(rec.get("date_publication_arrete") or ""),
                str(rec.get("date_publication_jo") or ""),
            ]
        )
    return rows


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=CATNAT_COLUMNS).astype(str)
    return table.drop_duplicates(["insee_com", "code_national_catnat"]).reset_index(drop=True)


def fetch_catnat(
    codes: Iterable[str],
    *,
    downloader: Downloader,
    base_url: str = BASE_URL,
    page_size: int = 100,
) -> pd.DataFrame:
    """Return the CatNat decrees of each commune (:data:`CATNAT_COLUMNS`), all pages.

    Raises
    ------
    SourceError
        The API is unreachable, answers an error, or a page is not the expected JSON.
    """
    rows: list[list[str]] = []
    for code in codes:
        url: str | None = f"{base_url.rstrip('/')}/gaspar/catnat"
        params: dict[str, str | int] | None = {
            "code_insee": code,
            "page": 1,
            "page_size": page_size,
        }
        seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            if url is None:
                break
            answer = downloader.get_json(url, params=params)
            if not isinstance(answer, Mapping) or not isinstance(answer.get("data"), list):
                raise SourceError(
                    f"{url} : réponse Géorisques inattendue pour la commune {code} — "
                    "attendu un objet JSON avec un champ data (liste)"
                )
            rows.extend(_catnat_rows(answer["data"]))
            following = answer.get("next")
            url, params = (str(following), None) if following else (None, None)
            if url is not None and url in seen:
                break  # a server that loops on itself
            if url is not None:
                seen.add(url)
    return _frame(rows)


def fetch_rga(
    points: Mapping[str, tuple[float, float]],
    *,
    downloader: Downloader,
    base_url: str = BASE_URL,
) -> pd.DataFrame:
    """Return the clay shrink-swell exposure at each point (:data:`RGA_COLUMNS`).

    Parameters
    ----------
    points
        Key (a QPV code…) → (longitude, latitude) in WGS84 degrees.
    """
    rows = []
    for key, (lon, lat) in points.items():
        answer = downloader.get_json(
            f"{base_url.rstrip('/')}/rga", params={"latlon": f"{lon:.6f},{lat:.6f}"}
        )
        if isinstance(answer, Mapping) and isinstance(answer.get("data"), list):
            answer = answer["data"][0] if answer["data"] else {}
        if not isinstance(answer, Mapping):
            raise SourceError(f"{base_url}/rga : réponse inattendue pour {key}")
        code = answer.get("codeExposition")
        rows.append([key, str(answer.get("exposition") or ""), str(code or "")])
    return pd.DataFrame(rows, columns=RGA_COLUMNS).astype(str)


def read_catnat(path: Path) -> pd.DataFrame:
    """Read CatNat decrees saved from the API (one answer, a list of answers or of records)."""
    path = require_file(Path(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path} : JSON illisible ({exc}) — attendu une réponse de l'API Géorisques "
            "/gaspar/catnat"
        ) from exc
    answers = data if isinstance(data, list) else [data]
    records: list[Mapping[str, Any]] = []
    for item in answers:
        if isinstance(item, Mapping) and isinstance(item.get("data"), list):
            records.extend(r for r in item["data"] if isinstance(r, Mapping))
        elif isinstance(item, Mapping) and "code_national_catnat" in item:
            records.append(item)
        else:
            raise InputError(
                f"{path} : élément sans champ data ni code_national_catnat — attendu une "
                "réponse de l'API Géorisques /gaspar/catnat"
            )
    table = _frame(_catnat_rows(records))
    _check_catnat(table, path)
    return table


#: API field of each CatNat date column, named in messages.
_DATE_FIELDS = {
    "date_debut": "date_debut_evt",
    "date_fin": "date_fin_evt",
    "date_arrete": "date_publication_arrete",
    "date_jo": "date_publication_jo",
}


def _days(values: pd.Series) -> pd.Series:
    """Return dates (``DD/MM/YYYY`` as the API writes them, or ISO) as days since 1970.

    Empty values are NaN; unreadable ones are +inf, so that the finite rule names them.
    """
    text = values.astype("string").str.strip().fillna("")
    dates = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.str[:10], format="%Y-%m-%d", errors="coerce")
    dates = dates.fillna(iso)
    days = (dates - pd.Timestamp("1970-01-01")).dt.days.astype("float64")
    return days.where(dates.notna() | (text == ""), float("inf"))


def _check_catnat(table: pd.DataFrame, path: Path) -> None:
    """Refuse unreadable dates, events ending before they start, malformed commune codes."""
    frame = pd.DataFrame({name: _days(table[name]) for name in _DATE_FIELDS})
    frame["insee_com"] = table["insee_com"]
    frame["decree"] = table["code_national_catnat"] + " (commune " + table["insee_com"] + ")"
    v.check_values(
        frame,
        _catnat_schema(),
        path=path,
        id_column="decree",
        id_label="arrêté",
        fields=_DATE_FIELDS,
    )


@functools.cache
def _catnat_schema() -> v.Schema:
    import pandera.pandas as pa

    code = pa.Check.str_matches(
        r"^(\d{5}|2[AB]\d{3})$",
        name="insee:format",
        error="code commune INSEE mal formé — attendu 5 caractères (ex. 85191, 2A004)",
    )
    date = [
        pa.Check(
            lambda s: pd.Series(np.isfinite(s.to_numpy(dtype="float64")), index=s.index),
            name="date:readable",
            error="date illisible — attendu JJ/MM/AAAA (ou AAAA-MM-JJ)",
        )
    ]
    return v.schema(
        {"insee_com": [code], **dict.fromkeys(_DATE_FIELDS, date)},
        relations=[
            v.at_most(
                "date_debut",
                "date_fin",
                text="événement qui finit avant de commencer (date_debut_evt > date_fin_evt)",
            )
        ],
    )
