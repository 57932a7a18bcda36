"""Composite index method: method file (YAML), normalisation, weights, aggregation, ranks."""

from quartiers.method.composite import CompiledMethod, compile_method, composite, score
from quartiers.method.normalise import Reference, normalise, normalise_column
from quartiers.method.rank import classify, rank_descending, weighted_breaks
from quartiers.method.spec import (
    AGGREGATIONS,
    NORMALISATIONS,
    Method,
    default_method,
    load_method,
    parse_method,
)

__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "CompiledMethod",
    "Method",
    "Reference",
    "classify",
    "compile_method",
    "composite",
    "default_method",
    "load_method",
    "normalise",
    "normalise_column",
    "parse_method",
    "rank_descending",
    "score",
    "weighted_breaks",
]
