"""What-if on a synthetic territory: trees never raise a cell's vulnerability, de-sealing never
seals, untouched cells keep their values, defaults and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _actions_synthetic import Synthetic
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.payloads import whatif_json
from quartiers.actions.whatif import complete_choices, run_whatif
from quartiers.errors import InputError

CATALOGUE = default_catalogue()


def _run(syn: Synthetic, choices: list[Choice]):  # type: ignore[no-untyped-def]
    return run_whatif(
        syn.inputs,
        choices,
        catalogue=CATALOGUE,
        method=syn.method,
        horizon="ref",
        access=syn.access,
        before=syn.before,
    )


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:  # type: ignore[type-arg]
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=3, unique=True),
    amount=st.floats(min_value=0.005, max_value=0.5),
)
def test_trees_never_raise_the_vulnerability_of_a_cell(
    synthetic: Synthetic, cells: list[int], amount: float
) -> None:
    ids = synthetic.before.cells["idcar_200m"].astype(str).tolist()
    chosen = [ids[i] for i in cells]
    result = _run(synthetic, [Choice(action="shade_trees", cells=chosen, amount=amount)])
    before = synthetic.before.cells.set_index("idcar_200m")
    after = result.after.cells.set_index("idcar_200m").reindex(before.index)
    treated = before.index.isin(chosen)
    for column in ("index", "score_resources"):
        b, a = _column(before, column), _column(after, column)
        known = np.isfinite(b[treated])
        assert (a[treated][known] <= b[treated][known] + 1e-12).all(), column
    canopy_b, canopy_a = _column(before, "canopy_share"), _column(after, "canopy_share")
    assert (canopy_a[treated] >= canopy_b[treated] - 1e-12).all()
    # nothing leaks outside the treated cells, and sealing is untouched
    np.testing.assert_array_equal(canopy_a[~treated], canopy_b[~treated])
    np.testing.assert_array_equal(
        _column(after, "green_share")[~treated], _column(before, "green_share")[~treated]
    )
    np.testing.assert_array_equal(
        _column(after, "impervious_share"), _column(before, "impervious_share")
    )
    planted = result.applied[0].area_m2
    assert planted is not None and 0 <= planted <= amount * 40_000 * len(chosen) + 1e-6


def test_planting_adds_the_share_asked_where_there_is_room(synthetic: Synthetic) -> None:
    cells = synthetic.before.cells
    empty = cells[(cells["canopy_share"] < 0.01) & (cells["built_share"] < 0.05)]
    cell_id = str(empty["idcar_200m"].iloc[0])
    result = _run(synthetic, [Choice(action="shade_trees", cells=[cell_id], amount=0.15)])
    after = result.after.cells.set_index("idcar_200m")
    before = cells.set_index("idcar_200m")
    gain = float(after.at[cell_id, "canopy_share"] - before.at[cell_id, "canopy_share"])
    assert gain == pytest.approx(0.15, abs=1e-6)
    assert result.applied[0].quantity == 120  # 6 000 m² / 50 m² per tree
    code = str(synthetic.before.qpv["code_qp"].iloc[0])
    applied = whatif_json(result, code)["applied"][0]  # what the workshop page prints
    assert applied["area_text"] == "6\u202f000\u00a0m²"


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cell=st.integers(min_value=0, max_value=99), amount=st.floats(min_value=0.05, max_value=0.9))
def test_desealing_never_seals_and_stays_near_the_cell(
    synthetic: Synthetic, cell: int, amount: float
) -> None:
    ids = synthetic.before.cells["idcar_200m"].astype(str).tolist()
    result = _run(synthetic, [Choice(action="desealing", cells=[ids[cell]], amount=amount)])
    before = synthetic.before.cells.set_index("idcar_200m")
    after = result.after.cells.set_index("idcar_200m").reindex(before.index)
    sealed_b, sealed_a = _column(before, "impervious_share"), _column(after, "impervious_share")
    assert (sealed_a <= sealed_b + 1e-12).all()
    # only the chosen cell and its neighbours (a roadway spans a cell edge) can change
    xy = before[["x_sw", "y_sw"]].to_numpy()
    x0, y0 = before.loc[ids[cell], ["x_sw", "y_sw"]].to_numpy()
    far = (np.abs(xy[:, 0] - x0) > 200) | (np.abs(xy[:, 1] - y0) > 200)
    np.testing.assert_array_equal(sealed_a[far], sealed_b[far])
    green_b, green_a = _column(before, "green_share"), _column(after, "green_share")
    treated = before.index == ids[cell]
    assert (green_a[treated] >= green_b[treated] - 1e-12).all()
    np.testing.assert_array_equal(green_a[~treated], green_b[~treated])


def test_desealing_a_road_cell_frees_ground(synthetic: Synthetic) -> None:
    cells = synthetic.before.cells
    road_cell = str(cells.sort_values("impervious_share", ascending=False)["idcar_200m"].iloc[0])
    result = _run(synthetic, [Choice(action="desealing", cells=[road_cell], amount=0.5)])
    after = result.after.cells.set_index("idcar_200m")
    before = cells.set_index("idcar_200m")
    assert after.at[road_cell, "impervious_share"] < before.at[road_cell, "impervious_share"]
    assert result.applied[0].area_m2 and result.applied[0].area_m2 > 0


def test_accompanying_actions_change_nothing(synthetic: Synthetic) -> None:
    result = _run(synthetic, [Choice(action="heatwave_register")])
    assert result.cell_changes().empty
    assert "non représenté" in result.applied[0].notes[0]


def test_defaults_fill_cells_points_and_share(synthetic: Synthetic) -> None:
    code = str(synthetic.before.qpv["code_qp"].iloc[0])
    full = complete_choices(
        synthetic.before,
        code,
        [
            Choice(action="shade_trees"),
            Choice(action="cool_room"),
            Choice(action="heatwave_register"),
        ],
        CATALOGUE,
    )
    trees, room, register = full
    assert trees.amount == CATALOGUE.get("shade_trees").lever.amount
    in_qpv = set(
        synthetic.before.cells.loc[synthetic.before.cells["code_qp"] == code, "idcar_200m"]
    )
    assert trees.cells and set(trees.cells) <= in_qpv
    assert room.points and len(room.points) == 1
    assert register.cells is None and register.points is None


def test_bad_choices_are_refused_in_french(synthetic: Synthetic) -> None:
    with pytest.raises(InputError, match="carreau inconnu"):
        _run(synthetic, [Choice(action="shade_trees", cells=["CRS3035RES200mN0E0"], amount=0.1)])
    with pytest.raises(InputError, match="trop grande"):
        _run(synthetic, [Choice(action="desealing", cells=["x"], amount=0.95)])
    with pytest.raises(InputError, match="choisie deux fois"):
        _run(synthetic, [Choice(action="heatwave_register"), Choice(action="heatwave_register")])


def test_without_street_data_places_are_not_simulated_and_the_rest_runs(
    synthetic: Synthetic,
) -> None:
    """No walking access: opening a place is « non simulée », the other actions still run."""
    assert synthetic.before.network is None  # an access table, but no street data
    code = str(synthetic.before.qpv["code_qp"].iloc[0])
    cells = list(
        synthetic.before.cells.loc[synthetic.before.cells["code_qp"] == code, "idcar_200m"][:2]
    )
    result = _run(
        synthetic,
        [
            Choice(action="cool_room", points=[(2.35, 48.85)]),
            Choice(action="shade_trees", cells=cells, amount=0.1),
        ],
    )
    room, trees = result.applied
    assert room.simulated is False and room.places == 0
    assert any(n.startswith("non simulée") for n in room.notes)
    assert any("Salle rafraîchie" in n or "non simulée" in n for n in result.notes)
    assert trees.simulated is True and trees.area_m2 and trees.area_m2 > 0
    changes = result.qpv_changes(code)
    assert (changes["column"] == "canopy_share").any()
    payload = whatif_json(result, code)
    assert [a["simulated"] for a in payload["applied"]] == [False, True]


def test_a_simulation_runs_no_uncertainty_analysis(
    synthetic: Synthetic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Index and ranks only: the Monte Carlo, Sobol indices and hotspot tests never run.

    The method in force has its uncertainty analysis and hotspots on, so a what-if that let
    them run (baseline or after the actions) would call the functions replaced here.
    """
    import quartiers.diagnostic.robustness as robustness
    from quartiers.actions.whatif import WHATIF_SCOPE

    assert synthetic.method.uncertainty.enabled and synthetic.method.uncertainty.sobol_samples
    assert synthetic.method.hotspots.enabled

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("une simulation a lancé l'analyse d'incertitude")

    monkeypatch.setattr(robustness, "explore_uncertainty", refuse)
    monkeypatch.setattr(robustness, "find_hotspots", refuse)
    code = str(synthetic.before.qpv["code_qp"].iloc[0])
    cells = list(
        synthetic.before.cells.loc[synthetic.before.cells["code_qp"] == code, "idcar_200m"][:2]
    )
    trees = [Choice(action="shade_trees", cells=cells, amount=0.1)]
    result = run_whatif(
        synthetic.inputs,
        trees,
        catalogue=CATALOGUE,
        method=synthetic.method,
        horizon="ref",
        access=synthetic.access,
    )  # no baseline given: it is computed the same way
    for run in (result.before.run, result.after.run):
        assert run["uncertainty"] == {"enabled": False}
        assert run["sensitivity"] == {"enabled": False}
        assert run["hotspots"] == {"enabled": False}
    assert (result.qpv_changes(code)["column"] == "canopy_share").any()
    assert WHATIF_SCOPE.startswith("simulation sans analyse d'incertitude")


def test_reused_indicator_steps_give_the_numbers_of_a_full_rerun(
    synthetic: Synthetic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline with a memo: the rerun skips the steps whose layers the actions left alone
    (buildings and the building allocation for a planting) and gives exactly the numbers of
    a rerun that computes all."""
    import quartiers.diagnostic._cell_indicators as steps
    import quartiers.diagnostic.run as run
    from quartiers.actions.whatif import WHATIF_ROBUSTNESS
    from quartiers.diagnostic import IndicatorMemo
    from quartiers.diagnostic.pipeline import diagnose

    code = str(synthetic.before.qpv["code_qp"].iloc[0])
    cells = list(
        synthetic.before.cells.loc[synthetic.before.cells["code_qp"] == code, "idcar_200m"][:3]
    )
    trees = [Choice(action="shade_trees", cells=cells, amount=0.2)]
    assert synthetic.before.memo is None
    full = _run(synthetic, trees)  # baseline without memo: every step recomputed
    before = diagnose(
        synthetic.inputs,
        method=synthetic.method,
        horizon="ref",
        access=synthetic.access,
        robustness=WHATIF_ROBUSTNESS,
        memo=IndicatorMemo(),
    )
    calls: list[str] = []
    for module, name in ((steps, "_add_buildings"), (steps, "_add_vegetation"), (run, "allocate")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _real=real, _name=name: (calls.append(_name), _real(*a))[1]
        )
    reused = run_whatif(
        synthetic.inputs,
        trees,
        catalogue=CATALOGUE,
        method=synthetic.method,
        horizon="ref",
        access=synthetic.access,
        before=before,
    )
    assert calls == ["_add_vegetation"]  # the planting changed vegetation, not buildings
    pd.testing.assert_frame_equal(reused.after.qpv_table(), full.after.qpv_table())
    pd.testing.assert_frame_equal(
        pd.DataFrame(reused.after.cells.drop(columns="geometry")),
        pd.DataFrame(full.after.cells.drop(columns="geometry")),
    )
    pd.testing.assert_frame_equal(reused.qpv_changes(), full.qpv_changes())
    canopy = reused.qpv_changes(code).query("column == 'canopy_share'")
    assert (canopy["delta"] > 0).all() and len(canopy) == 1
    # the baseline's memo is forked, not overwritten: a second what-if reuses vegetation
    calls.clear()
    run_whatif(
        synthetic.inputs,
        [Choice(action="heatwave_register")],
        catalogue=CATALOGUE,
        method=synthetic.method,
        horizon="ref",
        access=synthetic.access,
        before=before,
    )
    assert calls == []
