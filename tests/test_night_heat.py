"""Night-time heat (source chaleur_nuit) in the diagnostic: it leads exposure when given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine

from _synthetic import X0, Y0, access_table, environment_layers, make_territory
from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.schemas import TerritoryInputs
from quartiers.sources.raster import read_night_heat


def _raster(path: Path, *, hot_west: float) -> Path:
    """A 10 m GeoTIFF over the synthetic block: 20 °C, ``hot_west`` °C on its western half."""
    data = np.full((200, 200), 20.0, dtype="float32")
    data[:, :100] = hot_west
    data[:5, :5] = -9999.0  # a nodata corner
    profile = {
        "driver": "GTiff",
        "width": 200,
        "height": 200,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:3035",
        "transform": Affine(10.0, 0.0, X0, 0.0, -10.0, Y0 + 2000),
        "nodata": -9999.0,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _inputs(tif: Path | None) -> TerritoryInputs:
    inputs = make_territory(**environment_layers())
    if tif is not None:
        inputs.night_heat = read_night_heat(tif, inputs.cells)
    return inputs


def _run(inputs: TerritoryInputs) -> Diagnostic:
    fast = RobustnessOptions(uncertainty=False, hotspots=False)
    return run_diagnostic(inputs, access=access_table(inputs.cells), robustness=fast)


@pytest.fixture(scope="module")
def with_heat(tmp_path_factory: pytest.TempPathFactory) -> Diagnostic:
    tif = _raster(tmp_path_factory.mktemp("heat") / "icu.tif", hot_west=24.0)
    return _run(_inputs(tif))


@pytest.fixture(scope="module")
def without_heat() -> Diagnostic:
    return _run(_inputs(None))


def test_night_heat_leads_exposure_when_given(with_heat: Diagnostic) -> None:
    weights = with_heat.indicators.set_index("id")["index_weight"]
    exposure = weights[["night_heat", "lcz_heat", "impervious_share"]]
    assert exposure.idxmax() == "night_heat"
    assert (exposure / exposure.sum()).tolist() == pytest.approx([0.5, 0.275, 0.225])
    assert "night_heat" not in with_heat.run["missing_indicators"]
    cells = with_heat.cells
    west = cells["x_sw"] < X0 + 1000
    assert cells.loc[west, "night_heat"].dropna().eq(24.0).all()
    assert cells.loc[~west, "night_heat"].dropna().eq(20.0).all()
    q = with_heat.qpv_table().set_index("code_qp")
    assert np.isfinite(q.loc["QN99901M", "night_heat"])
    assert "chaleur_nuit" not in str(q.loc["QN99901M", "index_note"])
    assert q.loc["QN99901M", "index_label"] == "indice de vulnérabilité aux vagues de chaleur"


def test_without_the_raster_exposure_is_lcz_and_sealing_as_before(
    without_heat: Diagnostic,
) -> None:
    weights = without_heat.indicators.set_index("id")["index_weight"]
    assert weights["night_heat"] == 0 or np.isnan(weights["night_heat"])
    pair = weights[["lcz_heat", "impervious_share"]]
    assert (pair / pair.sum()).tolist() == pytest.approx([0.55, 0.45])
    reason = without_heat.run["missing_indicators"]["night_heat"]
    assert "chaleur_nuit" in reason
    q = without_heat.qpv_table().set_index("code_qp").loc["QN99901M"]
    assert q["index_label"] == (
        "indice de vulnérabilité aux vagues de chaleur — "
        "exposition menée par les LCZ (sans chaleur nocturne)"
    )
    assert "--source chaleur_nuit=FICHIER.tif" in q["index_note"]
    assert q["status"] == "ok"


def _west_minus_east(diag: Diagnostic, column: str) -> float:
    cells = diag.cells
    west = cells["x_sw"] < X0 + 1000
    return float(cells.loc[west, column].mean() - cells.loc[~west, column].mean())


def test_hotter_nights_mean_more_exposure(tmp_path: Path, with_heat: Diagnostic) -> None:
    # the same block with the western half cooler than the east instead of hotter: the
    # west's exposure and index fall against the east's (direction +1)
    cool = _run(_inputs(_raster(tmp_path / "cool.tif", hot_west=16.0)))
    for column in ("score_exposure", "index"):
        assert _west_minus_east(with_heat, column) > _west_minus_east(cool, column), column
