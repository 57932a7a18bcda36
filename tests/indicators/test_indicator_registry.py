"""The indicator registry: complete metadata, and every indicator documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.indicators.registry import (
    DIMENSIONS,
    REGISTRY,
    get_indicator,
    indicator_ids,
    registry_table,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "method.md"


def test_every_indicator_has_complete_metadata() -> None:
    for ind in REGISTRY.values():
        assert ind.dimension in DIMENSIONS
        assert ind.direction in (-1, 1)
        for text in (ind.label, ind.unit, ind.formula, ind.source, ind.weighting):
            assert text.strip(), ind.id
        assert ind.min_population >= 0


def test_registry_table_and_lookup() -> None:
    table = registry_table()
    assert list(table["id"]) == list(REGISTRY)
    assert {"label", "unit", "dimension", "direction", "formula", "source"} <= set(table)
    assert indicator_ids("exposure") == [i for i in REGISTRY if REGISTRY[i].dimension == "exposure"]
    assert get_indicator("poverty_rate").direction == 1
    with pytest.raises(InputError, match="indicateur inconnu 'pauvrete'"):
        get_indicator("pauvrete")


def test_every_indicator_is_documented_in_method_md() -> None:
    text = DOC.read_text(encoding="utf-8")
    for ind in REGISTRY.values():
        assert f"`{ind.id}`" in text, ind.id
