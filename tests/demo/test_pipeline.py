from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest

from quartiers.demo.pipeline import DemoRun


def test_demo_writes_the_diagnostic(demo_run: DemoRun) -> None:
    out = demo_run.out_dir
    for name in ("diagnostic.gpkg", "qpv.csv", "dictionnaire.csv", "run.json"):
        assert (out / name).is_file(), name
    layers = {name for name, _ in pyogrio.list_layers(out / "diagnostic.gpkg")}
    assert {"cells", "qpv", "zones"} <= layers
    for layer in ("cells", "qpv", "zones"):
        assert pyogrio.read_info(out / "diagnostic.gpkg", layer=layer)["crs"] == "EPSG:3035"


def test_population_conserved_from_cells_to_zones(demo_run: DemoRun) -> None:
    diag = demo_run.diagnostic
    # The demo communes tile the territory: QPV + rest of each commune = every resident.
    zones = diag.zones
    parts = zones[zones["zone_type"].isin(["qpv", "reste_commune"])]["population"].sum()
    epci = zones[zones["zone_type"].isin(["qpv", "reste_epci"])]["population"].sum()
    cells = float(diag.cells["population"].sum())
    assert parts == pytest.approx(cells, rel=0.005)
    assert epci == pytest.approx(cells, rel=0.005)


def test_qpv_table_is_consistent(demo_run: DemoRun) -> None:
    qpv = pd.read_csv(demo_run.out_dir / "qpv.csv", dtype={"code_qp": str, "insee_com": str})
    assert set(qpv["code_qp"]) == {"QN00001A", "QN00001B"}
    assert np.allclose(qpv["poverty_rate"], qpv["poor_households"] / qpv["households"])
    # The grands-ensembles QPV is the poorer one, as generated.
    by_code = qpv.set_index("code_qp")
    assert by_code.loc["QN00001A", "poverty_rate"] > by_code.loc["QN00001B", "poverty_rate"]


def test_demo_map_is_offline_and_shows_both_qpv(demo_run: DemoRun) -> None:
    page = (demo_run.out_dir / "carte.html").read_text(encoding="utf-8")
    assert (demo_run.out_dir / "assets" / "maplibre-gl.js").is_file()
    assert "QN00001A" in page and "QN00001B" in page
    assert "territoire fictif" in page.lower()
    assert "https://" not in page  # no CDN, no tile server
