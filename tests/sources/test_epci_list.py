"""The official EPCI list shipped with the package (issue 17 point 2): lookup, build, use."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.sources.epci_list import (
    build_epci_list,
    epci_list_info,
    epci_of_communes,
    official_epci,
)


def test_shipped_list_names_and_members() -> None:
    table = official_epci()
    assert len(table) == 1255 and table["siren_epci"].is_unique
    assert table["siren_epci"].str.fullmatch(r"\d{9}").all()
    # Every commune belongs to one EPCI at most.
    members = [c for codes in table["communes"] for c in codes]
    assert len(members) == len(set(members)) > 34_000
    names = dict(zip(table["siren_epci"], table["nom"], strict=True))
    assert names["244900015"] == "CU Angers Loire Métropole"
    assert names["248500589"] == "CA La Roche-sur-Yon - Agglomération"
    assert "200000001" not in names  # the demo's fictitious EPCI
    assert epci_of_communes(["49007", "49353", "85191", "2A004", "99999"]) == {
        "49007": "244900015",
        "49353": "244900015",
        "85191": "248500589",
        "2A004": "242010056",
    }
    info = epci_list_info()
    assert info["vintage"] == "2026-01-01"
    assert info["package"] == "@etalab/decoupage-administratif@6.0.0"
    assert "Licence Ouverte" in info["licence"] and "MIT" in info["licence"]


def test_shipped_list_agrees_with_the_insee_table(shared_data: Path) -> None:
    """The 2026 list matches the 2026 commune → EPCI table of ../shared on the 4 EPCI."""
    from quartiers.sources.communes import read_epci_communes

    table = read_epci_communes(shared_data / "admin" / "epci_commune_2026.csv")
    mine = table[table["siren_epci"].isin(["244900015", "244400644", "200068120", "248500589"])]
    found = epci_of_communes(list(mine["insee_com"]))
    assert found == dict(zip(mine["insee_com"], mine["siren_epci"], strict=True))


def _tarball(path: Path, epci: list[dict[str, object]], name: str = "") -> Path:
    package = {"name": name or "@etalab/decoupage-administratif", "version": "4.1.0"}
    with tarfile.open(path, "w:gz") as tar:
        for member, data in (("package/package.json", package), ("package/data/epci.json", epci)):
            raw = json.dumps(data).encode()
            info = tarfile.TarInfo(member)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


def test_build_from_npm_tarball(tmp_path: Path) -> None:
    epci = [
        {"code": "249000001", "nom": "CC B", "type": "CC", "membres": [{"code": "2B002"}]},
        {
            "code": "200000002",
            "nom": "CA A",
            "type": "CA",
            "membres": [{"code": "85191", "nom": "x"}, {"code": "85008"}],
        },
    ]
    data = build_epci_list(_tarball(tmp_path / "p.tgz", epci))
    assert data["vintage"] == "2024-01-01"
    assert data["package"] == "@etalab/decoupage-administratif@4.1.0"
    assert data["epci"] == [
        ["200000002", "CA A", "CA", "85008 85191"],
        ["249000001", "CC B", "CC", "2B002"],
    ]


def test_build_refuses_bad_input_in_french(tmp_path: Path) -> None:
    bad = [{"code": "2490001", "nom": "CC B", "membres": [{"code": "85191"}]}]
    with pytest.raises(InputError, match=r"EPCI '2490001'.*attendu un SIREN à 9 chiffres"):
        build_epci_list(_tarball(tmp_path / "a.tgz", bad))
    with pytest.raises(InputError, match="attendu @etalab/decoupage-administratif"):
        build_epci_list(_tarball(tmp_path / "b.tgz", [], name="autre"))
    (tmp_path / "c.tgz").write_bytes(b"pas une archive")
    with pytest.raises(InputError, match=re.escape("archive npm illisible")):
        build_epci_list(tmp_path / "c.tgz")


@pytest.mark.slow
def test_epci_named_from_the_list_without_epci_layer(shared_data: Path, tmp_path: Path) -> None:
    """No EPCI layer given: the official name titles the run and the synthesis."""
    from quartiers.diagnostic import RobustnessOptions, run_diagnostic
    from quartiers.report.render import ReportOptions, write_report
    from quartiers.settings import get_settings
    from quartiers.sources.load import load_inputs

    settings = get_settings(offline=True, workspace_dir=tmp_path / "ws", cache_dir=tmp_path / "c")
    files = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
    }
    skip = ["bpe", "osm", "lcz", "drias", "bdtopo", "climadiag"]
    # A name of the official list finds the EPCI, as its SIREN does.
    for query in ("248500589", "La Roche-sur-Yon Agglomération"):
        inputs = load_inputs(query, files, settings=settings, use_workspace=False, skip=skip)
        assert inputs.name == "CA La Roche-sur-Yon - Agglomération", query
    diag = run_diagnostic(inputs, robustness=RobustnessOptions(uncertainty=False, hotspots=False))
    written = write_report(
        diag, tmp_path / "fiches", options=ReportOptions(codes=["QN08501I"], formats=["html"])
    )
    synthesis = next(p for p in written if p.name.startswith("synthese_"))
    html = synthesis.read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and "CA La Roche-sur-Yon - Agglomération" in title.group(1)
    assert "Intercommunalité" not in title.group(1) and "EPCI 248500589" not in html
