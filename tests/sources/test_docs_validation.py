"""docs/sources.md « Contrôle des valeurs » states the bounds the readers actually apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.sources.bdtopo import MAX_BUILDING_HEIGHT_M
from quartiers.sources.communes import MAX_COMMUNE_POPULATION, MAX_EPCI_POPULATION
from quartiers.sources.drias import DAY_INDICATORS
from quartiers.sources.filosofi import MAX_PEOPLE_PER_CELL
from quartiers.sources.osm_tags import MAX_CROWN_DIAMETER_M
from quartiers.sources.validation import DAYS_PER_YEAR

DOC = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


@pytest.fixture(scope="module")
def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Contrôle des valeurs")
    return " ".join(text[start : text.index("\n## ", start + 1)].split())


def _fr(number: float) -> str:
    return f"{int(number):,}".replace(",", " ")


def test_bounds_are_the_documented_ones(section: str) -> None:
    assert f"{_fr(MAX_PEOPLE_PER_CELL)} personnes par carreau de 200 m" in section
    assert f"≤ {_fr(MAX_PEOPLE_PER_CELL)} par carreau" in section
    assert f"{_fr(MAX_COMMUNE_POPULATION)} d'habitants par commune" in section
    assert f"{_fr(MAX_EPCI_POPULATION)} par EPCI" in section
    assert f"{_fr(MAX_BUILDING_HEIGHT_M)} m de hauteur" in section
    assert f"{DAYS_PER_YEAR} jours" in section
    assert f"> {int(MAX_CROWN_DIAMETER_M)} m" in section


def test_every_day_indicator_is_listed(section: str) -> None:
    for code in DAY_INDICATORS:
        assert f"`{code}`" in section, code


def test_every_reader_has_its_rules(section: str) -> None:
    for source in ("filosofi", "qpv", "communes", "epci", "climadiag", "drias", "bpe"):
        assert f"| `{source}` |" in section, source
    for source in ("bdtopo", "lcz", "georisques"):
        assert f"| `{source}`" in section, source
