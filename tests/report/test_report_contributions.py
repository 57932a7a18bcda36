from __future__ import annotations

from datetime import date
from html import unescape
from pathlib import Path

import pytest

from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.report import contributions as contrib
from quartiers.report.context import qpv_sheet
from quartiers.report.model import ContributionItem, Contributions
from quartiers.report.render import render_template

CODE = "QN00001A"


def _sheet_html(diag: Diagnostic, found: Contributions | None) -> str:
    sheet = qpv_sheet(diag, CODE, contributions=found, generated_on=date(2026, 6, 15))
    return render_template("fiche.html.j2", sheet=sheet)


def test_section_left_out_without_contributions(demo_diag: Diagnostic) -> None:
    html = _sheet_html(demo_diag, None)
    assert "Ce que disent les habitants" not in html


def test_section_quotes_published_contributions_escaped(demo_diag: Diagnostic) -> None:
    found = Contributions(
        total=3,
        counts=[("Lieu trop chaud", 2), ("Idée d'action", 1)],
        items=[
            ContributionItem(
                "Lieu trop chaud",
                "La dalle <b>brûle</b> l'après-midi",
                "02/07/2026",
                "65–79 ans, après-midi",
            ),
            ContributionItem("Idée d'action", "Des arbres devant l'école", "01/07/2026", ""),
        ],
    )
    html = _sheet_html(demo_diag, found)
    assert "Ce que disent les habitants" in html
    assert "3 contributions publiées après modération" in html
    assert "lieu trop chaud 2" in html
    assert "Les 2 plus récentes" in html
    assert "La dalle &lt;b&gt;brûle&lt;/b&gt;" in html  # residents' text is never HTML
    assert "<b>brûle</b>" not in html


def test_section_says_when_nothing_was_published(demo_diag: Diagnostic) -> None:
    html = _sheet_html(demo_diag, Contributions(0, [], []))
    assert "Aucune contribution publiée pour ce quartier" in html


def test_missing_module_is_a_french_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contrib, "participation_available", lambda: False)
    with pytest.raises(InputError, match="module participation n'est pas installé"):
        contrib.read_contributions("sqlite:///nimporte.sqlite3", [CODE])


def test_missing_database_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="base de contributions introuvable"):
        contrib.database_url(str(tmp_path / "absente.sqlite3"))
    with pytest.raises(InputError, match="introuvable"):
        contrib.database_url(f"sqlite:///{tmp_path / 'absente.sqlite3'}")
    assert not (tmp_path / "absente.sqlite3").exists()  # never created by a report


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """Return a SQLite contributions database: two published contributions, one pending."""
    pytest.importorskip("quartiers.participation.store")
    from quartiers.participation.schemas import ContributionCreate
    from quartiers.participation.store import ContributionStore
    from quartiers.participation.vocab import Category, Status

    url = f"sqlite:///{tmp_path / 'contributions.sqlite3'}"
    store = ContributionStore.open(url, {"200000001": (-180.0, -90.0, 180.0, 90.0)})
    try:
        ids = []
        for text, category in (
            ("La cour de l'immeuble est un four en juillet", Category.TROP_CHAUD),
            ("La bibliothèque est fraîche et ouverte", Category.FRAIS),
            ("Texte encore en attente de relecture", Category.BESOIN),
        ):
            receipt = store.create(
                ContributionCreate(
                    territory="200000001",
                    code_qp=CODE,
                    lon=2.0,
                    lat=47.0,
                    category=category,
                    text=text,
                )
            )
            ids.append(receipt.id)
        for published in ids[:2]:
            store.moderate(published, Status.PUBLISHED, actor="test", scope=None)
    finally:
        store.close()
    return url


def test_published_contributions_from_the_store(store_url: str) -> None:
    found = contrib.read_contributions(store_url, [CODE, "QN00001B"])
    assert set(found) == {CODE}
    assert found[CODE].total == 2
    texts = {item.text for item in found[CODE].items}
    assert texts == {
        "La cour de l'immeuble est un four en juillet",
        "La bibliothèque est fraîche et ouverte",
    }
    assert dict(found[CODE].counts) == {"Lieu trop chaud": 1, "Lieu frais": 1}


def test_report_command_quotes_residents(store_url: str, demo_run: object, tmp_path: Path) -> None:
    from quartiers.cli import main

    out = tmp_path / "fiches"
    db_file = store_url.removeprefix("sqlite:///")
    args = ["--qpv", CODE, "--format", "html", "--no-synthesis", "--contributions", db_file]
    assert main(["report", str(demo_run.out_dir), "--out", str(out), *args]) == 0  # type: ignore[attr-defined]
    html = unescape((out / f"fiche_{CODE}.html").read_text(encoding="utf-8"))
    assert "2 contributions publiées après modération" in html
    assert "La cour de l'immeuble est un four en juillet" in html
    assert "Texte encore en attente de relecture" not in html


def test_sheet_compares_perceived_hot_spots_with_the_measure(
    demo_run: object, tmp_path: Path
) -> None:
    pytest.importorskip("quartiers.participation.store")
    import geopandas as gpd

    from quartiers.participation.schemas import ContributionCreate
    from quartiers.participation.store import ContributionStore
    from quartiers.participation.vocab import Category, Status

    diag = demo_run.diagnostic  # type: ignore[attr-defined]
    cells = diag.cells
    hottest = cells[cells["quintile"] == 5].iloc[0]
    coolest = cells[cells["quintile"] == 1].iloc[0]
    points = gpd.GeoSeries(
        [hottest.geometry.centroid, coolest.geometry.centroid], crs=cells.crs
    ).to_crs("EPSG:4326")
    url = f"sqlite:///{tmp_path / 'contributions.sqlite3'}"
    store = ContributionStore.open(url, {"200000001": (-180.0, -90.0, 180.0, 90.0)})
    try:
        for point, text in zip(points, ("Dalle brûlante", "Ici on étouffe aussi"), strict=True):
            receipt = store.create(
                ContributionCreate(
                    territory="200000001", code_qp=CODE, lon=point.x, lat=point.y,
                    category=Category.TROP_CHAUD, text=text,
                )
            )  # fmt: skip
            store.moderate(receipt.id, Status.PUBLISHED, actor="test", scope=None)
    finally:
        store.close()
    found = contrib.read_contributions(url, [CODE], cells=cells)
    verdicts = dict(found[CODE].hot_spots)
    assert verdicts["Dalle brûlante"].startswith("concordant")
    assert verdicts["Ici on étouffe aussi"].startswith("discordant")
    html = unescape(_sheet_html(diag, found[CODE]))
    assert "Lieux trop chauds signalés et mesure" in html
    assert "« Dalle brûlante » — concordant" in html
