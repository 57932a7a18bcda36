"""HTML pages: French, accessible structure, graceful « non disponible », downloads."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path, PurePath

import pytest
from fastapi.testclient import TestClient

from quartiers.web.app import app_state

DEMO = "200000001"
PAGES = [
    "/",
    f"/territoires/{DEMO}",
    f"/territoires/{DEMO}/qpv/QN00001A",
    "/comparaison",
    "/methode",
    "/glossaire",
    "/telechargements",
    "/documentation-api",
]


class _Audit(HTMLParser):
    """Collect what an accessibility check needs from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.ids: list[str] = []
        self.labels_for: set[str] = set()
        self.controls: list[tuple[str, str]] = []
        self.h1 = 0
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_style = False
        self.images_without_alt = 0
        self.svg_unlabelled = 0
        self.first_link = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        if tag in ("select", "textarea") or (tag == "input" and a.get("type") not in ("hidden",)):
            self.controls.append((tag, a.get("id", "")))
        if tag == "h1":
            self.h1 += 1
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "link" and a.get("href"):
            self.styles.append(a["href"])
        if "style" in a:
            self.inline_style = True
        if tag == "img" and "alt" not in a:
            self.images_without_alt += 1
        if tag == "svg" and a.get("role") == "img" and not a.get("aria-labelledby"):
            self.svg_unlabelled += 1
        if tag == "a" and not self.first_link:
            self.first_link = a.get("href", "")


def _audit(html: str) -> _Audit:
    audit = _Audit()
    audit.feed(html)
    return audit


@pytest.mark.parametrize("url", PAGES)
def test_page_is_french_accessible_and_local(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, url
    assert r.headers["content-type"].startswith("text/html")
    audit = _audit(r.text)
    assert audit.lang == "fr"
    assert audit.h1 == 1
    assert audit.first_link == "#contenu"  # skip link first
    assert "contenu" in audit.ids
    assert len(audit.ids) == len(set(audit.ids)), "identifiants en double"
    for tag, control_id in audit.controls:
        if tag != "input" or control_id:
            assert control_id in audit.labels_for, f"{tag}#{control_id} sans étiquette"
    assert audit.images_without_alt == 0 and audit.svg_unlabelled == 0
    assert not audit.inline_style  # the CSP forbids inline styles
    for src in audit.scripts + audit.styles:
        assert src.startswith("/static/") or src.startswith("#"), f"ressource externe : {src}"
    assert "http://" not in "".join(audit.scripts + audit.styles)
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'aria-current="page"' in r.text


def test_overview_shows_map_legend_and_sortable_table(client: TestClient) -> None:
    html = client.get(f"/territoires/{DEMO}").text
    assert 'id="carte"' in html and 'id="legende"' in html
    assert "jusqu'à" in html and "plus de" in html
    assert 'aria-sort="ascending"' in html  # sorted by rank by default
    config = json.loads(re.search(r'id="config-carte">(.*?)</script>', html, re.S).group(1))
    assert config["initial"] == {"indicator": "index", "horizon": "ref"}
    assert "heat_wave_days|2100" in config["legends"] and "index|ref" in config["legends"]
    assert config["basemap"] is None
    assert config["cells_url"] == f"/api/territories/{DEMO}/cells"
    assert "/vendor/maplibre-gl.js" in html
    # residents' contributions: the site says when they are not available
    if 'id="form-contribution"' not in html:
        assert "Contributions des habitants : non disponibles" in html


def test_overview_server_side_sort_and_choices(client: TestClient) -> None:
    html = client.get(
        f"/territoires/{DEMO}",
        params={"indicateur": "heat_wave_days", "horizon": "2100", "tri": "indice", "ordre": "asc"},
    ).text
    full = html[html.index('id="tableau-qpv"') :]  # the sortable table, not the brief one
    rows = re.findall(r'<tr data-code="(QN\w+)"', full)
    indices = [float(v) for v in re.findall(r'data-indice="([0-9.]+)"', html)]
    assert len(rows) == 2 and indices == sorted(indices)
    assert "Jours de vague de chaleur" in html and "2100 (+4 °C, TRACC)" in html
    assert "20,8\u00a0j/an" in html  # the 2100 value of Ville-Témoin in the table
    html = unescape(client.get(f"/territoires/{DEMO}", params={"indicateur": "inconnu"}).text)
    assert "indicateur « inconnu » inconnu : l'indice est affiché" in html


def test_qpv_page_compares_and_degrades(client: TestClient) -> None:
    html = unescape(client.get(f"/territoires/{DEMO}/qpv/QN00001A").text)
    assert "Le Plateau (fictif)" in html
    assert "Reste de la commune" in html and "Reste de l'EPCI" in html
    assert "Taux de pauvreté des ménages" in html
    assert re.search(r"[+−]\d+,\d\u00a0pt(?!s)", html) and re.search(r"×\d+,\d\d", html)
    assert 'id="graphique-rapports"' in html and 'id="graphique-scores"' in html
    assert "Sources et millésimes" in html and "Licence Ouverte 2.0" in html
    assert "/tmp/" not in html  # no server path
    assert "graphique-climat-0" in html


def test_qpv_page_uses_uncertainty_hotspots_and_access(client: TestClient) -> None:
    html = unescape(client.get(f"/territoires/{DEMO}/qpv/QN00001B").text)
    assert "Intervalle de rang" in html and 'id="graphique-rangs"' in html
    seen = re.sub(r"<[^>]+>", "", html)  # « quintile » is a link to its definition
    assert "Probabilité d'être dans le quintile le plus vulnérable" in seen
    assert 'id="tableau-sobol"' in html and "agrégation" in html
    assert "Part des habitants du QPV dans des points chauds" in html
    assert "règle 3-30-300" in html  # walking-access summary of the QPV layer
    overview = client.get(f"/territoires/{DEMO}").text
    assert 'data-tri="intervalle"' in overview
    assert "Points chauds" in overview


def test_pages_say_non_disponible_without_optional_outputs(bare_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    from .conftest import web_settings

    with TestClient(create_app([bare_dir], settings=web_settings(tmp_path))) as c:
        html = unescape(c.get(f"/territoires/{DEMO}/qpv/QN00001B").text)
        assert "Incertitude : non disponible" in html
        assert "Points chauds : non disponibles" in html
        assert 'id="graphique-rangs"' not in html
        overview = unescape(c.get(f"/territoires/{DEMO}").text)
        assert "Intervalle de rang et probabilité : non disponibles" in overview
        assert 'data-tri="intervalle"' not in overview and "Points chauds" not in overview
        assert "non disponible" in overview


def test_comparison_page_with_two_territories(multi_client: TestClient) -> None:
    html = unescape(multi_client.get("/comparaison", params={"indicateur": "share_65p"}).text)
    assert html.count('<tr data-territoire="200000001"') == 2
    assert html.count('<tr data-territoire="00001"') == 2
    assert "Part des 65 ans et plus" in html
    assert 'id="graphique-comparaison"' in html
    assert "relatifs à chaque territoire" in html
    html = unescape(multi_client.get("/comparaison", params={"horizon": "2999"}).text)
    assert "horizon « 2999 » inconnu" in html


@pytest.mark.shared
def test_comparison_with_la_roche_sur_yon(demo_dir: Path, lry_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    from .conftest import web_settings

    app = create_app([demo_dir, lry_dir], settings=web_settings(tmp_path))
    with TestClient(app) as c:
        html = c.get("/comparaison").text
        for code_qp in ("QN08501I", "QN08502I", "QN08503I", "QN00001A"):
            assert code_qp in html
        page = c.get("/territoires/85191/qpv/QN08503I")
        assert page.status_code == 200 and "Liberté - Zola" in page.text
        # La Roche-sur-Yon was diagnosed without LCZ: said, not hidden
        assert "non disponible" in page.text


def test_method_page_lists_every_indicator(client: TestClient) -> None:
    from quartiers.indicators.registry import REGISTRY

    html = client.get("/methode").text
    for ind in REGISTRY.values():
        assert f'id="indicateur-{ind.id}"' in html
    assert "Normalisation" in html and "Quintiles de la population" in html


def test_unknown_pages_are_french_404(client: TestClient) -> None:
    for url in ("/territoires/99999", f"/territoires/{DEMO}/qpv/ZZ", "/nulle-part"):
        r = client.get(url)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html")
        assert "introuvable" in r.text or "inconnu" in r.text
        assert '<html lang="fr">' in r.text


def test_downloads(client: TestClient, demo_dir: Path) -> None:
    html = client.get("/telechargements").text
    assert "diagnostic.gpkg" in html and "SHA-256" in html
    r = client.get(f"/telechargements/{DEMO}/diagnostic.gpkg")
    assert r.status_code == 200 and r.content[:16] == b"SQLite format 3\x00"
    assert f'filename="{DEMO}_diagnostic.gpkg"' in r.headers["content-disposition"]
    # the export's GeoPackage (styled), never the output directory's file rewritten
    assert r.content != (demo_dir / "diagnostic.gpkg").read_bytes()
    qpv = client.get(f"/telechargements/{DEMO}/qpv.csv")
    assert qpv.content == (demo_dir / "qpv.csv").read_bytes()
    text = client.get(f"/telechargements/{DEMO}/carreaux.csv").text
    cells = list(csv.DictReader(io.StringIO(text)))
    assert len(cells) > 1000 and "geometry" not in cells[0] and "index" in cells[0]
    run = client.get(f"/telechargements/{DEMO}/run.json").json()
    assert all("/" not in s["location"] for s in run["sources"])
    written = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    assert list(run) == list(written)  # the file's own key order, paths cut to file names
    cut = [{**s, "location": PurePath(s["location"]).name} for s in written["sources"]]
    assert run["sources"] == cut and run["method"] == written["method"]
    geo = client.get(f"/telechargements/{DEMO}/qpv.geojson").json()
    assert len(geo["features"]) == 2
    r = client.get(f"/telechargements/{DEMO}/secret.txt")
    assert r.status_code == 404 and "fichier inconnu" in r.text
    r = client.get(f"/telechargements/{DEMO}/..%2F..%2Fetc%2Fpasswd")
    assert r.status_code == 404


def test_html_is_escaped(demo_dir: Path, tmp_path: Path) -> None:
    """A hostile QPV name in a diagnostic is shown as text, never run."""
    import shutil

    import geopandas as gpd

    from quartiers.web import create_app

    from .conftest import web_settings

    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    qpv = gpd.read_parquet(copy / "qpv.parquet")
    qpv.loc[0, "lib_qp"] = '<script>alert("x")</script>'
    qpv.to_parquet(copy / "qpv.parquet")
    with TestClient(create_app([copy], settings=web_settings(tmp_path))) as c:
        for url in (f"/territoires/{DEMO}", f"/territoires/{DEMO}/qpv/{qpv.loc[0, 'code_qp']}"):
            html = c.get(url).text
            assert '<script>alert("x")</script>' not in html
            assert "&lt;script&gt;" in html or "\\u003cscript\\u003e" in html


def test_routers_answer_from_the_application_serving_the_request(
    client: TestClient, multi_client: TestClient
) -> None:
    """The routers are module-level, shared by every application: the territories, the page
    cache and what the templates list come from the application that serves the request."""
    codes = [td.code for td in app_state(multi_client.app).catalog]
    (own,) = [td.code for td in app_state(client.app).catalog]
    other = next(code for code in codes if code != own)
    for _ in range(2):  # interleaved, so that a shared cache would serve the other's page
        for path in ("/", "/telechargements"):
            one, two = client.get(path), multi_client.get(path)
            assert one.status_code == two.status_code == 200
            assert f"/{own}" in one.text and f"/{other}" not in one.text, path
            assert f"/{own}" in two.text and f"/{other}" in two.text, path
    assert client.get(f"/territoires/{other}").status_code == 404
    assert multi_client.get(f"/territoires/{other}").status_code == 200
