"""ADEME DPE reader: the real export, its quirks, and French messages on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.schemas import HOUSING_COLUMNS
from quartiers.sources.catalog import get_source
from quartiers.sources.dpe import read_dpe

_HEADER = (
    '\ufeff"numero_dpe","numero_dpe_remplace","etiquette_dpe","type_batiment",'
    '"nombre_appartement","coordonnee_cartographique_x_ban",'
    '"coordonnee_cartographique_y_ban","statut_geocodage","indicateur_confort_ete",'
    '"type_energie_principale_chauffage"\n'
)
_OK = "adresse géocodée ban à l'adresse"


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "dpe.csv"
    path.write_text(_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_real_export(shared_data: Path) -> None:
    path = shared_data / "housing" / "dpe03existant" / "dpe03existant_extrait_api_1000_lignes.csv"
    table = read_dpe(path)
    assert list(table.columns) == HOUSING_COLUMNS
    assert str(table.crs) == "EPSG:2154"
    # 1,000 certificates: 239 not geocoded by the BAN, the others at (0, 0) or replaced
    assert len(table) == 696
    assert set(table["energy_class"]) <= set("ABCDEFG")
    assert set(table["summer_comfort"]) == {"", "bon", "moyen", "insuffisant"}
    assert "Fioul domestique" in set(table["heating"])
    # a building certificate counts its flats
    building = table[table["building_type"] == "immeuble"]
    assert len(building) and (building["dwellings"] >= 1).all()
    assert building["dwellings"].sum() > len(building)
    assert (table.loc[table["building_type"] != "immeuble", "dwellings"] == 1).all()
    # within a box
    box = (640_000.0, 6_860_000.0, 660_000.0, 6_890_000.0)
    inside = read_dpe(path, bbox_2154=box)
    assert 0 < len(inside) < len(table)
    x, y = inside.geometry.x, inside.geometry.y
    assert (x.between(box[0], box[2]) & y.between(box[1], box[3])).all()


def test_replaced_ungeocoded_and_unplaced_certificates_are_dropped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            f'"A1",,"F","maison",,400000.5,6700000.25,"{_OK}","insuffisant","Fioul domestique"',
            f'"A2","A1","D","maison",,400000.5,6700000.25,"{_OK}","moyen","Électricité"',
            '"A3",,"G","appartement",12,400100,6700100,"adresse non géocodée ban car aucune '
            'correspondance trouvée",,"Gaz naturel"',
            f'"A4",,"C","appartement",,0,0,"{_OK}",,',
            f'"A5",,"E","immeuble",24,400200,6700200,"{_OK}","bon","Gaz naturel"',
        ],
    )
    table = read_dpe(path)
    assert table["record_id"].tolist() == ["A2", "A5"]
    assert table["dwellings"].tolist() == [1.0, 24.0]
    assert table["summer_comfort"].tolist() == ["moyen", "bon"]


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        (f'"B1",,"H","maison",,400000,6700000,"{_OK}",,', "etiquette_dpe", "A, B, C, D"),
        (f'"B1",,,"maison",,400000,6700000,"{_OK}",,', "etiquette_dpe", "absente ou inconnue"),
        (
            f'"B1",,"C","maison",,400000,6700000,"{_OK}","excellent",',
            "indicateur_confort_ete",
            "bon, moyen, insuffisant",
        ),
        (f'"B1",,"C","villa",,400000,6700000,"{_OK}",,', "type_batiment", "appartement"),
        (
            f'"B1",,"C","maison",,2.35,48.85,"{_OK}",,',
            "coordonnee_cartographique_x_ban",
            "attendu ≥ 50",
        ),
        (f'"B1",,"C","maison",,,6700000,"{_OK}",,', "coordonnee_cartographique_x_ban", "vide"),
    ],
)
def test_bad_values_are_refused_in_french(
    tmp_path: Path, row: str, field: str, expected: str
) -> None:
    path = _write(tmp_path, [row])
    with pytest.raises(InputError) as err:
        read_dpe(path)
    text = str(err.value)
    assert str(path) in text and field in text and expected in text


def test_export_with_only_the_required_fields(tmp_path: Path) -> None:
    path = tmp_path / "select.csv"
    path.write_text(
        '\ufeff"numero_dpe","etiquette_dpe","coordonnee_cartographique_x_ban",'
        '"coordonnee_cartographique_y_ban"\n"E1","G",400000,6700000\n"E2","B",400010,6700010\n',
        encoding="utf-8",
    )
    table = read_dpe(path)
    assert table["energy_class"].tolist() == ["G", "B"]
    assert (table["summer_comfort"] == "").all() and (table["heating"] == "").all()
    assert table["dwellings"].tolist() == [1.0, 1.0]
    path.write_text(
        '"numero_dpe","etiquette_dpe","coordonnee_cartographique_x_ban",'
        '"coordonnee_cartographique_y_ban"\n"E3","Z",400000,6700000\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="etiquette_dpe"):
        read_dpe(path)


def test_missing_field_and_wrong_separator(tmp_path: Path) -> None:
    path = tmp_path / "dpe.csv"
    path.write_text('"numero_dpe","etiquette_dpe"\n"A","C"\n', encoding="utf-8")
    with pytest.raises(InputError, match="coordonnee_cartographique_x_ban"):
        read_dpe(path)
    path.write_text(
        "numero_dpe;etiquette_dpe;coordonnee_cartographique_x_ban\nA;C;1\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"dpe\.csv"):
        read_dpe(path)


def test_catalogue_entry() -> None:
    spec = get_source("dpe")
    assert spec.reader == "quartiers.sources.dpe:read_dpe"
    assert spec.download is None and not spec.auto
    assert "dpe03existant" in " ".join(spec.urls)


def test_loaded_with_la_roche_sur_yon_and_kept_in_the_workspace(
    shared_data: Path, tmp_path: Path
) -> None:
    from pyproj import Transformer

    from quartiers.settings import get_settings
    from quartiers.sources.load import load_inputs
    from quartiers.sources.workspace import read_workspace, write_workspace

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(
        -1.4265, 46.6705
    )  # La Roche-sur-Yon, place Napoléon
    path = _write(
        tmp_path,
        [
            f'"C1",,"G","maison",,{x:.2f},{y:.2f},"{_OK}","insuffisant","Fioul domestique"',
            f'"C2",,"C","appartement",,{x + 80:.2f},{y:.2f},"{_OK}",,"Électricité"',
            f'"C3",,"D","maison",,650000,6860000,"{_OK}",,',  # far away: clipped
        ],
    )
    local = {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "dpe": path,
    }
    settings = get_settings(
        offline=True, workspace_dir=tmp_path / "ws", cache_dir=tmp_path / "cache"
    )
    inputs = load_inputs(
        "85191", local, settings=settings, skip=["osm", "bpe", "lcz"], use_workspace=False
    )
    assert inputs.housing is not None and inputs.housing["record_id"].tolist() == ["C1", "C2"]
    assert inputs.notes.layers["housing"] == "dpe"
    assert any(p.source_id == "dpe" and p.sha256 for p in inputs.provenance)
    write_workspace(inputs, tmp_path / "ws" / "85191")
    stored = read_workspace(tmp_path / "ws" / "85191")
    assert stored.housing is not None and len(stored.housing) == 2
    assert stored.housing.crs is not None and stored.housing.crs.to_epsg() == 2154
