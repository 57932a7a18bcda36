"""Map classes and legends."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quartiers.method.rank import classify
from quartiers.outputs.classes import (
    NO_DATA_LABEL,
    PALETTES,
    class_breaks,
    class_of,
    equal_breaks,
    make_legend,
)
from quartiers.web.catalog import load_territory

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(arrays(np.float64, st.integers(1, 60), elements=finite), st.data())
def test_class_of_matches_the_diagnostic_classify(values: np.ndarray, data: st.DataObject) -> None:
    weights = data.draw(arrays(np.float64, len(values), elements=st.floats(0.5, 100)))
    breaks = class_breaks(values, weights)
    assert list(breaks) == sorted(set(breaks))
    classes = class_of(values, breaks)
    assert ((classes >= 0) & (classes <= len(breaks))).all()
    expected = classify(values, np.asarray(breaks)) - 1 if breaks else np.zeros(len(values))
    assert (classes == expected).all()
    # order preserved: a larger value never falls in a lower class
    order = np.argsort(values, kind="stable")
    assert (np.diff(classes[order]) >= 0).all()


def test_class_of_missing_values() -> None:
    assert class_of(np.array([np.nan, 1.0]), (0.5,)).tolist() == [-1, 1]


def test_equal_breaks_are_round() -> None:
    assert equal_breaks(np.array([0.8, 7.2, 11.9, 20.78])) == (5.0, 10.0, 15.0, 20.0)
    assert equal_breaks(np.array([2.77, 28.75])) == (6.0, 12.0, 18.0, 24.0)
    assert equal_breaks(np.array([np.nan])) == ()
    assert equal_breaks(np.array([-1.0, 3.0])) == ()


def test_index_legend_reproduces_the_diagnostic_quintiles(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    legend = td.legend("index")
    assert len(legend.breaks) == 4 and legend.colours == PALETTES[5]
    cells, _ = td.values("index")
    classes = class_of(cells, legend.breaks)
    stored = td.cells["quintile"].astype("float64").to_numpy()
    ok = np.isfinite(stored)
    assert (classes[ok] + 1 == stored[ok]).all()
    assert (classes[~ok] == -1).all()


def test_legend_of_an_inverse_indicator_and_of_a_missing_one(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    living = td.legend("living_standard")
    assert living.colours == tuple(reversed(PALETTES[5]))
    assert "valeurs basses" in living.note
    assert living.labels[0].startswith("jusqu'à ") and living.labels[-1].startswith("plus de ")
    info = replace(td.indicators["canopy_share"], available=False, missing_reason="couche absente")
    values, _ = td.values("canopy_share")
    absent = make_legend(info, values, np.ones(len(values)), horizon="ref", horizon_label="réf")
    assert absent.labels == () and absent.note == "non disponible : couche absente"
    assert NO_DATA_LABEL in str(living.as_dict())


def test_climate_legend_is_the_same_at_every_horizon(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    legends = [td.legend("heat_wave_days", h) for h in ("ref", "2030", "2050", "2100")]
    assert len({lg.breaks for lg in legends}) == 1
    assert "mêmes à tous les horizons" in legends[0].note
    assert legends[3].title.endswith("2100 (+4 °C, TRACC)")
    ref, _ = td.values("heat_wave_days", "ref")
    late, _ = td.values("heat_wave_days", "2100")
    assert class_of(late, legends[3].breaks).max() > class_of(ref, legends[0].breaks).max()


def test_legend_with_few_distinct_values(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    info = replace(td.indicators["poverty_rate"], climate=False)
    values = np.array([1.0, 1.0, 1.0, 2.0])
    legend = make_legend(info, values, np.ones(4), horizon="ref", horizon_label="réf")
    assert len(legend.colours) == len(legend.breaks) + 1 == len(legend.labels)
    assert "seulement" in legend.note or "une seule classe" in legend.note


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_palettes_have_one_colour_per_class(n: int) -> None:
    assert len(PALETTES[n]) == n
