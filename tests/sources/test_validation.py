"""The shared validation layer: rule builders and the one French message they produce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quartiers.errors import InputError
from quartiers.sources import validation as v


def refused(table: pd.DataFrame, rules: v.Schema, **kwargs: object) -> str:
    with pytest.raises(InputError) as err:
        v.check_values(table, rules, path="table.csv", **kwargs)  # type: ignore[arg-type]
    return str(err.value)


def test_share_outside_zero_one() -> None:
    rules = v.schema({"code": v.identifier(), "part": v.share()})
    table = pd.DataFrame({"code": ["a", "b", "c"], "part": [0.2, 1.3, -0.1]})
    message = refused(table, rules, id_column="code", id_label="zone")
    assert message == (
        "table.csv : champ part — 2 ligne(s) : part hors de [0, 1] — attendu 0 à 1 ; "
        "première : zone b"
    )
    v.check_values(table.assign(part=[0.0, 1.0, np.nan]), rules, path="t")  # bounds, empty ok


def test_without_identifier_the_line_is_given() -> None:
    rules = v.schema({"jours": v.days()})
    message = refused(pd.DataFrame({"jours": [3.0, 367.0]}), rules)
    assert message.endswith("première : ligne 3")
    assert "valeur supérieure à 366 jours (jours d'une année)" in message


def test_empty_or_duplicated_identifiers() -> None:
    rules = v.schema({"code": v.identifier()})
    assert "identifiant vide" in refused(pd.DataFrame({"code": ["a", " ", "c"]}), rules)
    message = refused(pd.DataFrame({"code": ["a", "b", "a", "b", "a"]}), rules, id_column="code")
    assert "3 ligne(s) : identifiant en double" in message and "première : identifiant a" in message


def test_required_number_and_non_numeric_text() -> None:
    rules = v.schema({"n": v.number(nullable=False)})
    assert "valeur manquante" in refused(pd.DataFrame({"n": [1.0, np.nan]}), rules)
    assert "valeur infinie ou non numérique" in refused(pd.DataFrame({"n": ["1", "x"]}), rules)


def test_relation_tolerates_float_noise_and_missing_columns() -> None:
    rules = v.schema(
        {"part": v.count(), "tout": v.count()},
        relations=[v.at_most("part", "tout", "parts", "le tout")],
    )
    v.check_values(pd.DataFrame({"part": [10.0 + 1e-9], "tout": [10.0]}), rules, path="t")
    v.check_values(pd.DataFrame({"part": [12.0]}), rules, path="t")  # an absent field: no rule
    message = refused(pd.DataFrame({"part": [10.5], "tout": [10.0]}), rules)
    assert "parts plus nombreux que le tout (part > tout) — attendu part ≤ tout" in message


def test_first_rule_reported_and_others_named() -> None:
    rules = v.schema({"a": v.count(), "b": v.count(), "c": v.count()})
    table = pd.DataFrame({"a": [1.0, 2.0], "b": [-1.0, 2.0], "c": [np.inf, -2.0]})
    message = refused(table, rules, fields={"b": "B_fichier"})
    assert message.startswith("table.csv : champ B_fichier — 1 ligne(s) : valeur négative")
    assert message.endswith("(autres règles non respectées dans : c)")


def test_impossible_coordinates() -> None:
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"id": ["x", "y"]},
        geometry=[shapely.Point(2.35, 48.85), shapely.Point(2.35, 91.0)],
        crs="EPSG:4326",
    )
    with pytest.raises(InputError, match=r"champ géométrie \(coordonnées\) — 1 ligne\(s\)"):
        v.check_coordinates(frame, path="f.geojson", id_column="id", id_label="lieu")
    projected = frame.iloc[:1].to_crs(2154)
    v.check_coordinates(projected, path="f.gpkg", id_column="id")
