"""Cool indoor places: only those the city declares open in summer, else « supposés »."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from _access_fixtures import X0, Y0, to_lonlat
from quartiers.access import walk_access
from quartiers.access.compute import COOL_INDOOR_ATTR
from quartiers.errors import InputError
from quartiers.sources.place_changes import declares_summer, validate_place_changes
from test_access import _tiny_territory


def test_without_a_declaration_every_library_counts_and_is_assumed(tmp_path: Path) -> None:
    inputs, _ = _tiny_territory(tmp_path)
    access = walk_access(inputs).table
    assert access["dist_cool_indoor_m"].notna().all()  # the OSM library
    assert access.attrs[COOL_INDOOR_ATTR] == "assumed"


def test_declared_summer_openings_replace_the_assumed_places(tmp_path: Path) -> None:
    inputs, where = _tiny_territory(tmp_path)
    lon, lat = to_lonlat(X0 + 320, Y0 + 320)
    far_lon, far_lat = to_lonlat(X0 + 600, Y0 + 20)
    csv = tmp_path / "lieux.csv"
    csv.write_text(
        "nom;lon;lat;ouvert_ete\n"
        f"Salle des fêtes;{lon:.7f};{lat:.7f};oui\n"
        f"Gymnase (fermé en août);{far_lon:.7f};{far_lat:.7f};non\n",
        encoding="utf-8",
    )
    access = walk_access(inputs, changes_csv=csv).table
    assert access.attrs[COOL_INDOOR_ATTR] == "declared"
    # the same room without the declaration: the OSM library (north-west) counts too
    plain = tmp_path / "plain.csv"
    plain.write_text(f"nom;lon;lat\nSalle des fêtes;{lon:.7f};{lat:.7f}\n", encoding="utf-8")
    assumed = walk_access(inputs, changes_csv=plain).table
    assert assumed.attrs[COOL_INDOOR_ATTR] == "assumed"
    assert assumed["count_cool_indoor_10min"].max() == 2
    # declared: one place only (the library dropped, the gymnasium closed in summer not opened)
    assert access["count_cool_indoor_10min"].max() == 1
    declared_m, assumed_m = access["dist_cool_indoor_m"], assumed["dist_cool_indoor_m"]
    assert (declared_m >= assumed_m).all() and (declared_m > assumed_m + 100).any()
    assert access["dist_care_m"].equals(assumed["dist_care_m"])  # other categories untouched
    assert where["library"] == to_lonlat(X0 + 100, Y0 + 580)


def test_a_room_declared_closed_in_summer_is_not_opened(tmp_path: Path) -> None:
    inputs, _ = _tiny_territory(tmp_path)
    lon, lat = to_lonlat(X0 + 320, Y0 + 320)
    inputs.extra_places = validate_place_changes(
        pd.DataFrame({"nom": ["École"], "lon": [lon], "lat": [lat], "ouvert_ete": ["non"]}),
        source="test",
    )
    access = walk_access(inputs).table
    assert access.attrs[COOL_INDOOR_ATTR] == "declared"
    assert access["dist_cool_indoor_m"].isna().all()  # nothing declared open in summer


def test_summer_column_values_are_checked() -> None:
    table = pd.DataFrame({"nom": ["A"], "lon": [2.0], "lat": [47.0], "Ouvert été": ["peut-être"]})
    with pytest.raises(InputError, match=r"lieux\.csv : champ Ouvert été .*oui ou non"):
        validate_place_changes(table, source="lieux.csv")
    ok = validate_place_changes(
        pd.DataFrame(
            {"nom": ["A", "B"], "lon": [2.0, 2.1], "lat": [47.0, 47.1], "ouvert_ete": ["Oui", ""]}
        ),
        source="lieux.csv",
    )
    assert list(ok["summer"]) == ["yes", ""]
    assert declares_summer(ok)
    assert not declares_summer(ok.assign(summer=""))
    assert not declares_summer(None)


def test_a_room_the_workshop_opens_counts_when_the_city_declares_summer(tmp_path: Path) -> None:
    from quartiers.actions.levers import PlaceOpening, open_places

    inputs, _ = _tiny_territory(tmp_path)
    lon, lat = to_lonlat(X0 + 320, Y0 + 320)
    room = PlaceOpening("cool_indoor", "salle_rafraichie", "Salle", lon, lat)
    undeclared = open_places(inputs, [room])
    assert not declares_summer(undeclared.extra_places)  # the workshop declares nothing
    inputs.extra_places = validate_place_changes(
        pd.DataFrame({"nom": ["École"], "lon": [lon], "lat": [lat], "ouvert_ete": ["non"]}),
        source="test",
    )
    opened = open_places(inputs, [room])
    access = walk_access(opened).table
    assert access.attrs[COOL_INDOOR_ATTR] == "declared"
    assert access["dist_cool_indoor_m"].notna().all()  # the workshop's room counts
