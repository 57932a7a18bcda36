"""docs/sources.md stays true: every source, normalised column and code mapping is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quartiers import schemas
from quartiers.sources.bdtopo import VEGETATION_KINDS, WATER_KINDS
from quartiers.sources.bpe import CATEGORIES, CATEGORIES_BEFORE_2023
from quartiers.sources.catalog import CATALOG
from quartiers.sources.communes import EPCI_COLUMNS, EPCI_COMMUNE_COLUMNS
from quartiers.sources.drias import PERIOD_HORIZONS
from quartiers.sources.georisques import CATNAT_COLUMNS, RGA_COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_source_has_a_section_and_a_catalogue_row(doc: str) -> None:
    for spec in CATALOG:
        assert f"| `{spec.id}` |" in doc, spec.id
        assert spec.licence.split(" (")[0] in doc
        assert spec.urls[0] in doc, spec.urls[0]
    for spec in CATALOG:
        if spec.id != "epci":
            assert re.search(rf"^### `{spec.id}` — ", doc, flags=re.MULTILINE), spec.id


@pytest.mark.parametrize(
    "columns",
    [
        schemas.QPV_COLUMNS,
        schemas.FILOSOFI_COLUMNS,
        schemas.COMMUNE_COLUMNS,
        schemas.BPE_COLUMNS,
        schemas.LCZ_COLUMNS,
        schemas.NIGHT_HEAT_COLUMNS,
        schemas.TREE_COVER_COLUMNS,
        schemas.BUILDING_COLUMNS,
        schemas.VEGETATION_COLUMNS,
        schemas.WATER_COLUMNS,
        schemas.CLIMATE_COLUMNS,
        schemas.ROAD_COLUMNS,
        schemas.TREE_COLUMNS,
        schemas.PLACE_COLUMNS,
        schemas.HAZARD_COLUMNS,
        schemas.HOUSING_COLUMNS,
        list(schemas.HAZARD_SCENARIOS),
        EPCI_COLUMNS,
        EPCI_COMMUNE_COLUMNS,
        CATNAT_COLUMNS,
        RGA_COLUMNS,
    ],
)
def test_every_normalised_column_is_documented(doc: str, columns: list[str]) -> None:
    for column in columns:
        assert f"`{column}`" in doc, column


def test_code_mappings_are_documented(doc: str) -> None:
    for code in {**CATEGORIES, **CATEGORIES_BEFORE_2023}:
        assert f"`{code}`" in doc, code
    for kind in {*VEGETATION_KINDS.values(), *WATER_KINDS.values(), "other"}:
        assert f"`{kind}`" in doc, kind
    for period, horizon in PERIOD_HORIZONS.items():
        assert f"`{period}`" in doc and f"`{horizon}`" in doc
    for horizon in schemas.HORIZONS:
        assert f"`{horizon}`" in doc
