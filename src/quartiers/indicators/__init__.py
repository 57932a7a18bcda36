"""Indicators per 200 m cell (pure functions) and their registry with metadata."""

from quartiers.indicators.base import CellIndicator, from_counts, from_values, safe_ratio
from quartiers.indicators.registry import (
    ACCESS_CATEGORIES,
    DIMENSIONS,
    REGISTRY,
    Indicator,
    get_indicator,
    indicator_ids,
    registry_table,
)

__all__ = [
    "ACCESS_CATEGORIES",
    "DIMENSIONS",
    "REGISTRY",
    "CellIndicator",
    "Indicator",
    "from_counts",
    "from_values",
    "get_indicator",
    "indicator_ids",
    "registry_table",
    "safe_ratio",
]
