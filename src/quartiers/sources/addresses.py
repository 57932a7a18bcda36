"""Resolve postal addresses against the territory's own OpenStreetMap addresses (offline).

Workshop sticky notes often give an address rather than a point. No geocoding service is
reachable offline, so addresses are matched against the ``addr:housenumber`` /
``addr:street`` tags of the territory's OSM extract (address nodes and addressed
buildings), read by the one OSM pass (:func:`quartiers.sources.osm_file.scan_osm`). Matching
is exact on the folded street name (accents, case, hyphens and common
abbreviations ignored); when the number is absent from OSM, the nearest number of the same
parity on that street is used and the result says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quartiers.sources.osm_file import scan_osm
from quartiers.text import fold

__all__ = [
    "ADDRESS_COLUMNS",
    "AddressCollector",
    "AddressIndex",
    "Resolved",
    "parse_address",
    "read_osm_addresses",
]

#: Address table: number (int), suffix (« bis », « ter »…), folded street key, street as
#: mapped, WGS84 lon/lat of the address point or the building centroid.
ADDRESS_COLUMNS = ["number", "suffix", "street_key", "street", "lon", "lat"]

_ABBREVIATIONS = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard",
    "r": "rue", "pl": "place", "ch": "chemin", "che": "chemin", "rte": "route", "imp": "impasse",
    "all": "allee", "sq": "square", "crs": "cours", "fg": "faubourg", "qu": "quai",
    "st": "saint", "ste": "sainte", "res": "residence", "lot": "lotissement",
}  # fmt: skip
_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(bis|ter|quater|[a-d])?\b[\s,]*(.*)$", re.IGNORECASE)
_POSTCODE = re.compile(r"\b\d{5}\b.*$")


def _street_key(text: str) -> str:
    """Return :func:`quartiers.text.fold` of a street with abbreviations expanded."""
    return " ".join(_ABBREVIATIONS.get(w, w) for w in fold(text).split())


def parse_address(text: str) -> tuple[int | None, str, str]:
    """Split a French address into (number, suffix, folded street key).

    ``"12 bis, av. Jules-Ferry, 85000 La Roche-sur-Yon"`` → ``(12, "bis", "avenue jules ferry")``;
    the postcode and anything after it, and the part after the first comma that follows the
    street, are dropped.
    """
    text = _POSTCODE.sub("", text.strip())
    number: int | None = None
    suffix = ""
    match = _NUMBER.match(text)
    if match:
        number = int(match.group(1))
        suffix = (match.group(2) or "").lower()
        text = match.group(3)
    street = text.split(",")[0]
    return number, suffix, _street_key(street)


@dataclass(frozen=True)
class Resolved:
    """Where an address was found."""

    lon: float
    lat: float
    exact: bool  # False when the nearest number on the street stands in
    matched: str  # the OSM address used, e.g. « 14 Rue des Lilas »


class AddressCollector:
    """Collect addressed nodes and ways (way position = mean of its node locations)."""

    #: Tag key of the objects looked at.
    keys: tuple[str, ...] = ("addr:housenumber",)

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, float]] = []

    def _add(self, tags: Any, lon: float, lat: float) -> None:
        number, street = tags.get("addr:housenumber"), tags.get("addr:street")
        if number and street:
            self.rows.append((number, street, lon, lat))

    def add(self, obj: Any) -> None:
        """Record the address of a node or a way (areas are left: their way is enough)."""
        if obj.is_node():
            if obj.location.valid():
                self._add(obj.tags, obj.location.lon, obj.location.lat)
        elif obj.is_way():
            points = [(nd.lon, nd.lat) for nd in obj.nodes if nd.location.valid()]
            if points:
                lon, lat = np.mean(np.asarray(points), axis=0)
                self._add(obj.tags, float(lon), float(lat))


def read_osm_addresses(path: Path) -> pd.DataFrame:
    """Read the addresses of an OSM extract (PBF or XML) as :data:`ADDRESS_COLUMNS` (WGS84)."""
    (collector,) = scan_osm(Path(path), lambda: (AddressCollector(),), purpose="adresses")
    rows = []
    for raw_number, street, lon, lat in collector.rows:
        number, suffix, _ = parse_address(raw_number)
        if number is None:
            continue
        rows.append((number, suffix, _street_key(street), street, lon, lat))
    return pd.DataFrame(rows, columns=ADDRESS_COLUMNS)


@dataclass(frozen=True)
class _Street:
    numbers: np.ndarray
    suffixes: list[str]
    labels: list[str]
    lon: np.ndarray
    lat: np.ndarray


class AddressIndex:
    """Find addresses of one territory (built from :func:`read_osm_addresses`)."""

    def __init__(self, addresses: pd.DataFrame, *, source: str = "OpenStreetMap") -> None:
        self.source = source
        self._by_street: dict[str, _Street] = {}
        for key, group in addresses.groupby("street_key"):
            suffixes = [str(x) for x in group["suffix"]]
            labels = [
                f"{int(n)}{' ' + x if x else ''} {st}"
                for n, x, st in zip(group["number"], suffixes, group["street"], strict=True)
            ]
            self._by_street[str(key)] = _Street(
                numbers=group["number"].to_numpy(dtype="int64"),
                suffixes=suffixes,
                labels=labels,
                lon=group["lon"].to_numpy(dtype="float64"),
                lat=group["lat"].to_numpy(dtype="float64"),
            )

    def __len__(self) -> int:
        return sum(len(s.numbers) for s in self._by_street.values())

    def resolve(self, text: str) -> Resolved:
        """Return where ``text`` is; raise :class:`ValueError` (French) when it cannot be found.

        Raises
        ------
        ValueError
            Empty address, street not found in the territory's OSM addresses, or no number.
        """
        number, suffix, key = parse_address(text)
        if not key:
            raise ValueError(f"adresse « {text} » : nom de voie absent")
        street = self._by_street.get(key)
        if street is None:
            raise ValueError(
                f"adresse « {text} » : voie introuvable parmi les adresses {self.source} du "
                "territoire ; ajoutez lon/lat ou code_qp"
            )
        if number is None:
            raise ValueError(f"adresse « {text} » : numéro absent ; ajoutez lon/lat ou code_qp")
        numbers = street.numbers
        same = (numbers == number) & np.asarray([x == suffix for x in street.suffixes])
        if not same.any():
            same = numbers == number
        if same.any():
            return self._at(street, int(np.flatnonzero(same)[0]), exact=True)
        parity = numbers % 2 == number % 2
        pool = np.flatnonzero(parity) if parity.any() else np.arange(len(numbers))
        nearest = int(pool[np.argmin(np.abs(numbers[pool] - number))])
        return self._at(street, nearest, exact=False)

    @staticmethod
    def _at(street: _Street, i: int, *, exact: bool) -> Resolved:
        return Resolved(float(street.lon[i]), float(street.lat[i]), exact, street.labels[i])
