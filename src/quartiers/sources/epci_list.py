"""The official list of EPCI shipped with the package: SIREN, name, legal form, member communes.

The file ``sources/data/epci.json`` is built by ``scripts/build_epci_list.py`` from the npm
package ``@etalab/decoupage-administratif`` (Etalab; data from the INSEE COG and the DGCL list
of EPCI à fiscalité propre, formerly BANATIC; data under the Licence Ouverte, package code MIT).
Its vintage (1 January 2026, package 6.0.0) is the one of the ADMIN EXPRESS COG the ``communes``
source downloads, so the SIREN of a commune's EPCI in that layer is found in the list.

It names an EPCI when no EPCI layer or table was given (``epci`` layer of ADMIN EXPRESS,
``--source epci=…``); ``--nom`` still wins.
"""

from __future__ import annotations

import functools
import io
import json
import re
import tarfile
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from quartiers.errors import InputError

__all__ = [
    "EPCI_LIST_COLUMNS",
    "build_epci_list",
    "epci_list_info",
    "epci_names",
    "epci_of_communes",
    "official_epci",
]

#: Columns of :func:`official_epci`.
EPCI_LIST_COLUMNS = ["siren_epci", "nom", "type", "communes"]

_MEMBER = "package/data/epci.json"
_PACKAGE_JSON = "package/package.json"
_SIREN = re.compile(r"^\d{9}$")
_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# Package version → vintage (1 January of the year), from the package README.
_VINTAGES = {"6": "2026", "5": "2025", "4": "2024", "3": "2023", "2": "2022", "1": "2021"}


def _load() -> dict[str, Any]:
    text = resources.files("quartiers.sources").joinpath("data/epci.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def official_epci() -> pd.DataFrame:
    """Return the shipped EPCI list.

    Returns
    -------
    pandas.DataFrame
        :data:`EPCI_LIST_COLUMNS`: ``siren_epci`` (9 digits), ``nom`` (official name, e.g.
        « CU Angers Loire Métropole »), ``type`` (CA, CC, CU, METRO, MET69) and ``communes``
        (tuple of member INSEE commune codes).
    """
    rows = _load()["epci"]
    return pd.DataFrame(
        {
            "siren_epci": [r[0] for r in rows],
            "nom": [r[1] for r in rows],
            "type": [r[2] for r in rows],
            "communes": [tuple(r[3].split()) for r in rows],
        }
    )


def epci_list_info() -> dict[str, str]:
    """Return the list's provenance: ``vintage``, ``source``, ``licence``, ``package``."""
    data = _load()
    return {k: str(data[k]) for k in ("vintage", "source", "licence", "package")}


def epci_names(sirens: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Return the official name of each EPCI of the shipped list (SIREN not found left out).

    Parameters
    ----------
    sirens
        EPCI SIREN codes (9 digits).
    """
    table = official_epci()
    wanted = set(sirens)
    return {
        str(siren): str(name)
        for siren, name in zip(table["siren_epci"], table["nom"], strict=True)
        if siren in wanted
    }


def epci_of_communes(codes: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Return the SIREN of each commune's EPCI in the shipped list (communes not found left out).

    Parameters
    ----------
    codes
        INSEE commune codes (``49007``, ``2A004``).
    """
    wanted = set(codes)
    table = official_epci()
    return {
        code: siren
        for siren, members in zip(table["siren_epci"], table["communes"], strict=True)
        for code in members
        if code in wanted
    }


def build_epci_list(tarball: Path) -> dict[str, Any]:
    """Build the shipped list from an ``@etalab/decoupage-administratif`` npm tarball.

    Parameters
    ----------
    tarball
        ``etalab-decoupage-administratif-<version>.tgz`` as ``npm pack`` writes it.

    Returns
    -------
    dict
        ``vintage``, ``package``, ``source``, ``licence`` and ``epci``: one
        ``[siren, nom, type, "code code …"]`` per EPCI, sorted by SIREN, members sorted.

    Raises
    ------
    InputError
        Not a tarball of that package, or an EPCI without SIREN, name or valid member code.
    """
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            package = json.load(_member(tar, _PACKAGE_JSON, tarball))
            raw = json.load(_member(tar, _MEMBER, tarball))
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{tarball} : archive npm illisible ({exc}) — attendu le fichier .tgz du paquet "
            "@etalab/decoupage-administratif (npm pack)"
        ) from exc
    version = str(package.get("version", ""))
    if package.get("name") != "@etalab/decoupage-administratif" or not version:
        raise InputError(
            f"{tarball} : paquet {package.get('name')!r} — attendu @etalab/decoupage-administratif"
        )
    rows = sorted((_row(item, tarball) for item in raw), key=lambda r: r[0])
    return {
        "vintage": f"{_VINTAGES.get(version.split('.')[0], '?')}-01-01",
        "package": f"@etalab/decoupage-administratif@{version}",
        "source": "INSEE (COG) et DGCL (liste des EPCI à fiscalité propre, ex-BANATIC), via Etalab",
        "licence": "données : Licence Ouverte (Etalab) ; paquet npm : MIT",
        "epci": rows,
    }


def _member(tar: tarfile.TarFile, name: str, tarball: Path) -> io.BufferedReader:
    try:
        handle = tar.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise InputError(
            f"{tarball} : membre {name} absent — attendu une archive npm du paquet "
            "@etalab/decoupage-administratif"
        )
    return handle  # type: ignore[return-value]


def _row(item: dict[str, Any], tarball: Path) -> list[str]:
    siren = str(item.get("code", ""))
    name = str(item.get("nom") or "").strip()
    members = sorted(str(m.get("code", "")) for m in item.get("membres", []))
    bad = [m for m in members if not _COMMUNE.match(m)]
    if not _SIREN.match(siren) or not name or bad or not members:
        raise InputError(
            f"{tarball} : {_MEMBER}, EPCI {siren!r} ({name!r}) : champs code, nom ou "
            f"membres[].code invalides{f' ({bad[0]!r})' if bad else ''} — attendu un SIREN à "
            "9 chiffres, un nom et au moins un code commune INSEE"
        )
    return [siren, name, str(item.get("type") or ""), " ".join(members)]
