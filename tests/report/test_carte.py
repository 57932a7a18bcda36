"""Offline map page: layout checks in Python, rendering checked in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from _carte_data import carte_data
from quartiers.errors import InputError
from quartiers.outputs.classes import PALETTES, Legend, class_of, make_legend
from quartiers.outputs.formatting import MISSING, format_value, unit_style
from quartiers.outputs.quantities import IndicatorInfo
from quartiers.report import carte
from quartiers.report.carte import write_carte
from quartiers.spatial.grid import cell_boxes, cell_ids

LABELS = {
    "index": ("Indice de vulnérabilité", "indice 0–1"),
    "poverty_rate": ("Taux de pauvreté", "%"),
}


def _legend(cells: gpd.GeoDataFrame, column: str) -> Legend:
    """The legend the web map would draw for ``column`` (population-weighted quintiles)."""
    label, unit = LABELS[column]
    info = IndicatorInfo(
        id=column, label=label, unit=unit, dimension="", dimension_label="", direction=1,
        direction_label="", formula="", source="", normalisation="", index_weight=0.0,
        available=True, missing_reason="", climate=False, kind="indicator",
    )  # fmt: skip
    values = cells[column].to_numpy(dtype="float64")
    weights = cells["population"].to_numpy(dtype="float64")
    return make_legend(info, values, weights, horizon="ref", horizon_label="")


def _legends(
    cells: gpd.GeoDataFrame, columns: tuple[str, ...] = ("index", "poverty_rate")
) -> list[Legend]:
    return [_legend(cells, c) for c in columns]


def _cells() -> gpd.GeoDataFrame:
    """A 6 × 6 block of 200 m cells near Nantes (EPSG:3035)."""
    xs, ys = np.meshgrid(np.arange(6) * 200 + 3_470_000, np.arange(6) * 200 + 2_704_000)
    xy = np.column_stack([xs.ravel(), ys.ravel()]).astype(np.int64)
    rng = np.random.default_rng(0)
    poverty = rng.uniform(0.02, 0.5, len(xy))
    poverty[3] = np.nan  # a cell without the indicator
    return gpd.GeoDataFrame(
        {
            "idcar_200m": cell_ids(xy),
            "population": rng.integers(5, 400, len(xy)),
            "imputed": rng.random(len(xy)) < 0.3,
            "poverty_rate": poverty,
            "index": rng.uniform(0, 1, len(xy)),
        },
        geometry=cell_boxes(xy),
        crs="EPSG:3035",
    )


def _qpv() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN00001A", "QN00001B"],
            "lib_qp": ["Le Plateau <b>(fictif)</b>", "Centre ancien (fictif)"],
            "population": [6181.2, 3602.4],
            "poverty_rate": [0.471, 0.264],
            "rank": [1, 2],
        },
        geometry=[
            shapely.box(3_470_100, 2_704_100, 3_470_500, 2_704_400),
            shapely.box(3_470_700, 2_704_700, 3_471_100, 2_705_100),
        ],
        crs="EPSG:3035",
    )


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"insee_com": ["00001"], "nom": ["Ville-Témoin"]},
        geometry=[shapely.box(3_469_900, 2_703_900, 3_471_300, 2_705_300)],
        crs="EPSG:3035",
    )


@pytest.fixture
def fake_vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    for name in ("maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt"):
        (vendor / name).write_text(f"/* {name} */\n")
    monkeypatch.setattr(carte, "VENDOR_DIR", vendor)
    return vendor


def _data(page: Path) -> dict[str, object]:
    return carte_data(page)


def test_page_is_self_contained(tmp_path: Path, fake_vendor: Path) -> None:
    page = write_carte(
        tmp_path / "out",
        cells=_cells(),
        qpv=_qpv(),
        communes=_communes(),
        title="Ville-Témoin",
        fictitious=True,
        indicators=_legends(_cells()),
    )
    assert page == tmp_path / "out" / "carte.html"
    for name in ("maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt"):
        assert (tmp_path / "out" / "assets" / name).is_file()
    html = page.read_text(encoding="utf-8")
    assert 'src="assets/maplibre-gl.js"' in html and 'href="assets/maplibre-gl.css"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no CDN, no remote style
    assert "fetch(" not in html
    assert 'lang="fr"' in html and "Territoire fictif" in html
    assert "<b>(fictif)</b>" not in html  # data cannot inject markup
    data = _data(page)
    assert data["default"] == "index"
    assert data["noData"] == "#d0d0d0"
    cells = data["cells"]["features"]  # type: ignore[index]
    assert len(cells) == 36
    lon, lat = cells[0]["geometry"]["coordinates"][0][0]
    assert -2 < lon < 0 and 46 < lat < 48  # WGS84
    assert set(cells[0]["properties"]) == {
        "idcar_200m",
        "population",
        "imputed",
        "index",
        "poverty_rate",
        "_classe_index",
        "_classe_poverty_rate",
    }
    assert cells[3]["properties"]["poverty_rate"] is None
    assert [f["properties"]["code_qp"] for f in data["qpv"]["features"]] == ["QN00001A", "QN00001B"]  # type: ignore[index]
    assert len(data["labels"]) == 2  # type: ignore[arg-type]
    pov = next(i for i in data["indicators"] if i["column"] == "poverty_rate")  # type: ignore[attr-defined]
    assert pov["style"]["scale"] == 100.0 and len(pov["breaks"]) == 4
    assert pov["colours"] == list(PALETTES[5]) and len(pov["labels"]) == 5
    assert cells[3]["properties"]["_classe_poverty_rate"] == -1  # no value: no class


def test_cells_carry_the_class_of_their_exact_value(tmp_path: Path, fake_vendor: Path) -> None:
    """A value equal to a break stays in the lower class, as on the web map and in the PDF."""
    cells = _cells()
    legend = _legend(cells, "index")
    cells.loc[7, "index"] = legend.breaks[1]  # exactly on a break
    legend = _legend(cells, "index")
    page = write_carte(
        tmp_path, cells=cells, qpv=_qpv(), communes=None, title="t", fictitious=True,
        indicators=[legend],
    )  # fmt: skip
    got = [f["properties"]["_classe_index"] for f in _data(page)["cells"]["features"]]  # type: ignore[index]
    expected = class_of(cells["index"].to_numpy(dtype="float64"), legend.breaks).tolist()
    assert got == expected
    assert got[7] == int(np.searchsorted(legend.breaks, cells.loc[7, "index"], side="left"))


def test_real_page_has_no_banner_and_defaults_to_poverty(tmp_path: Path, fake_vendor: Path) -> None:
    page = write_carte(
        tmp_path,
        cells=_cells(),
        qpv=_qpv(),
        communes=None,
        title="Nantes",
        fictitious=False,
        indicators=_legends(_cells(), ("poverty_rate",)),
    )
    html = page.read_text(encoding="utf-8")
    assert "Territoire fictif" not in html and "Sources : INSEE" in html
    data = _data(page)
    assert data["default"] == "poverty_rate" and data["communes"] is None


def test_bad_inputs_are_named(tmp_path: Path, fake_vendor: Path) -> None:
    with pytest.raises(InputError, match="poverty_rate"):
        write_carte(
            tmp_path,
            cells=_cells().drop(columns="poverty_rate"),
            qpv=_qpv(),
            communes=None,
            title="t",
            fictitious=True,
            indicators=_legends(_cells()),
        )
    with pytest.raises(InputError, match="code_qp"):
        write_carte(
            tmp_path,
            cells=_cells(),
            qpv=_qpv().drop(columns="code_qp"),
            communes=None,
            title="t",
            fictitious=True,
            indicators=_legends(_cells()),
        )
    with pytest.raises(InputError, match="CRS"):
        write_carte(
            tmp_path,
            cells=_cells().set_crs(None, allow_override=True),
            qpv=_qpv(),
            communes=None,
            title="t",
            fictitious=True,
            indicators=_legends(_cells()),
        )
    with pytest.raises(InputError, match="aucun indicateur"):
        write_carte(
            tmp_path,
            cells=_cells(),
            qpv=_qpv(),
            communes=None,
            title="t",
            fictitious=True,
            indicators=[],
        )


def test_missing_maplibre_says_make_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(carte, "VENDOR_DIR", tmp_path / "nowhere")
    with pytest.raises(InputError, match="make install"):
        write_carte(
            tmp_path / "out",
            cells=_cells(),
            qpv=_qpv(),
            communes=None,
            title="t",
            fictitious=True,
            indicators=_legends(_cells()),
        )
    assert not (tmp_path / "out" / "carte.html").exists()


@pytest.mark.browser
def test_map_renders_in_chromium(tmp_path: Path, browser: Any) -> None:
    if not (carte.VENDOR_DIR / "maplibre-gl.js").is_file():
        pytest.skip("MapLibre non installé : lancez « make install »")
    page_path = write_carte(
        tmp_path / "out",
        cells=_cells(),
        qpv=_qpv(),
        communes=_communes(),
        title="Ville-Témoin",
        fictitious=True,
        indicators=_legends(_cells()),
    )
    # the session's Chromium renders WebGL in software (SwiftShader, tests/conftest.py)
    page = browser.new_page(viewport={"width": 900, "height": 700})
    try:
        errors: list[str] = []
        remote: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "request",
            lambda req: remote.append(req.url) if req.url.startswith("http") else None,
        )
        page.goto(page_path.as_uri())
        page.wait_for_function("window.carteReady === true", timeout=30_000)
        state = page.locator("#etat")
        assert state.get_attribute("data-pret") == "oui"
        assert state.get_attribute("data-qpv") == "2"
        assert int(state.get_attribute("data-carreaux") or 0) > 0
        # The page's script rebuilds the packed GeoJSON exactly as the Python reader does.
        rebuilt = json.loads(page.evaluate("JSON.stringify([DONNEES.cells, DONNEES.qpv])"))
        expected = carte_data(page_path)
        assert rebuilt == [expected["cells"], expected["qpv"]]
        assert page.locator(".etiquette-qpv").count() == 2
        assert page.locator("#bandeau-fictif").is_visible()
        assert "Indice de vulnérabilité" in page.inner_text("#legende")
        page.select_option("#indicateur", "poverty_rate")
        assert "Taux de pauvreté" in page.inner_text("#legende")
        assert "%" in page.inner_text("#legende")
        _assert_popups_write_like_the_sheets(page)
        shot = tmp_path / "carte.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert not errors and not remote
    finally:
        page.context.close()


def test_assets_copy_is_the_vendored_file(tmp_path: Path) -> None:
    if not (carte.VENDOR_DIR / "maplibre-gl.js").is_file():
        pytest.skip("MapLibre non installé : lancez « make install »")
    write_carte(
        tmp_path,
        cells=_cells(),
        qpv=_qpv(),
        communes=None,
        title="t",
        fictitious=True,
        indicators=_legends(_cells()),
    )
    assert (tmp_path / "assets" / "maplibre-gl.js").read_bytes() == (
        carte.VENDOR_DIR / "maplibre-gl.js"
    ).read_bytes()
    shutil.rmtree(tmp_path / "assets")


_LAYER = "DONNEES.indicators.find((i) => i.column === '{}').style"
_POPUP_CASES = [  # (style in the page, value, registry unit)
    (_LAYER.format("poverty_rate"), 0.3468, "part (0–1)"),
    (_LAYER.format("poverty_rate"), -0.0004, "part (0–1)"),  # no « −0,0 »
    (_LAYER.format("poverty_rate"), None, "part (0–1)"),
    (_LAYER.format("index"), 0.4776, "indice 0–1"),
    (_LAYER.format("index"), -1.2345, "indice 0–1"),
    ("DONNEES.styles.habitants", 12345.6, "habitants"),
    ("DONNEES.styles.part", 0.471, "part (0–1)"),
    ("DONNEES.styles.rang", 3, "rang"),
]


def _assert_popups_write_like_the_sheets(page: Any) -> None:
    """The pop-ups' script writes a value as :func:`format_value` does everywhere else."""
    for style, value, unit in _POPUP_CASES:
        shown = page.evaluate(f"(v) => formatValeur({style}, v)", value)
        assert shown == format_value(value, unit), (style, value)


def test_layers_carry_the_unit_rule_of_the_formatter(tmp_path: Path, fake_vendor: Path) -> None:
    page = write_carte(
        tmp_path / "out", cells=_cells(), qpv=_qpv(), communes=None, title="Ville-Témoin",
        fictitious=True, indicators=_legends(_cells()),
    )  # fmt: skip
    data = _data(page)
    styles = {layer["column"]: layer["style"] for layer in data["indicators"]}  # type: ignore[attr-defined]
    share = unit_style("part (0–1)")
    assert styles["poverty_rate"] == {"scale": 100.0, "decimals": 1, "suffix": share.suffix}
    assert styles["index"] == {"scale": 1.0, "decimals": 2, "suffix": ""}
    assert data["missing"] == MISSING


def test_too_many_cells_colours_the_qpv_and_points_to_the_app(tmp_path: Path, browser: Any) -> None:
    """Above the limit (a national run), no cell is inlined: the QPV carry the classes."""
    if not (carte.VENDOR_DIR / "maplibre-gl.js").is_file():
        pytest.skip("MapLibre non installé : lancez « make install »")
    cells = _cells()
    legends = _legends(cells)
    page_path = write_carte(
        tmp_path / "nat",
        cells=cells,
        qpv=_qpv(),
        communes=None,
        title="France",
        fictitious=True,
        indicators=legends,
        cell_limit=10,
    )
    data = _data(page_path)
    assert data["aggregated"] is True and data["cells"]["features"] == []  # type: ignore[index]
    assert data["labels"] == []  # no HTML name box per QPV at national size
    qpv = data["qpv"]["features"]  # type: ignore[index]
    poverty = next(lg for lg in legends if lg.indicator == "poverty_rate")
    for feature, value in zip(qpv, _qpv()["poverty_rate"], strict=True):
        props = feature["properties"]
        assert props["_classe_poverty_rate"] == int(class_of(np.array([value]), poverty.breaks)[0])
        assert props["_classe_index"] == -1  # the QPV layer has no index column here
    html = page_path.read_text(encoding="utf-8")
    assert "36 carreaux de 200 m : trop pour une page hors ligne" in html
    assert "« quartiers serve nat »" in html
    page = browser.new_page(viewport={"width": 900, "height": 700})
    try:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_path.as_uri())
        page.wait_for_function("window.carteReady === true", timeout=30_000)
        page.select_option("#indicateur", "poverty_rate")
        drawn = page.evaluate(
            "() => window.carte.queryRenderedFeatures({layers: ['qpv-valeur']})"
            ".map(f => f.properties._classe_poverty_rate)"
        )
        assert drawn and set(drawn) <= set(range(len(poverty.colours)))
        assert page.locator("#note-agregee").is_visible()
        page.screenshot(path=str(tmp_path / "carte-nat.png"))
        assert not errors
    finally:
        page.context.close()
