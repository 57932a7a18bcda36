"""The « transitions » panel of a QPV (issue 21, point 4): model and web page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.transitions import panel
from quartiers.demo.pipeline import DemoRun
from quartiers.errors import InputError
from quartiers.settings import get_settings
from quartiers.web.app import create_app


def test_panel_groups_the_four_transitions(demo_run: DemoRun) -> None:
    diag = demo_run.diagnostic
    groups = {g.key: g for g in panel(diag, "QN00001A", default_catalogue())}
    assert list(groups) == ["climate", "nature", "food", "energy"]
    food = {r.id: r for r in groups["food"].rows}
    assert set(food) == {
        "dist_fresh_food_m",
        "share_beyond_500m_fresh_food",
        "dist_shared_garden_m",
    }
    row = diag.qpv.set_index("code_qp").loc["QN00001A"]
    rest = diag.zones.set_index("zone_id").loc["commune:00001"]
    far = food["share_beyond_500m_fresh_food"]
    assert far.value == pytest.approx(row["share_beyond_500m_fresh_food"])
    assert far.commune == pytest.approx(rest["share_beyond_500m_fresh_food"])
    assert far.gap == pytest.approx(far.value - far.commune)
    nature = {r.id for r in groups["nature"].rows}
    assert {"canopy_share", "green_network_ha", "desealable_share"} <= nature
    # The demo's DPE file gives the energy transition its figures (issue 19), with the rest of
    # the commune beside them.
    energy = {r.id: r for r in groups["energy"].rows}
    assert set(energy) == {
        "share_dpe_fg",
        "energy_poverty_proxy",
        "share_heating_fuel_oil",
        "share_heating_electric",
    }
    assert all(r.value is not None and r.commune is not None for r in energy.values())
    # Actions shown serve the transition and at least one other.
    for key, tag in (("climate", "Rafraîchissement"), ("nature", "Biodiversité")):
        assert groups[key].actions
        for action in groups[key].actions:
            assert tag in action.co_benefits and len(action.co_benefits) >= 2
    assert "shade_trees" in {a.id for a in groups["nature"].actions}
    with pytest.raises(InputError):
        panel(diag, "QN99999Z", default_catalogue())


def test_transitions_page(demo_run: DemoRun, tmp_path: Path) -> None:
    app = create_app([demo_run.out_dir], settings=get_settings(), contributions=False)
    code = str(demo_run.diagnostic.run["territory"]["code"])
    with TestClient(app) as client:
        page = client.get(f"/territoires/{code}/qpv/QN00001A/transitions")
        assert page.status_code == 200
        for title in (
            "Climat : chaleur et aléas",
            "Biodiversité et nature",
            "Alimentation",
            "Énergie",
        ):
            assert title in page.text
        assert "Reste de la commune" in page.text and "Le Plateau" in page.text
        # The site's header and menu, and a breadcrumb back to the territory and the QPV.
        assert 'id="navigation"' in page.text and 'href="/glossaire"' in page.text
        assert f'href="/territoires/{code}/qpv/QN00001A"' in page.text
        assert 'class="tableau-defilant"' in page.text
        qpv = client.get(f"/territoires/{code}/qpv/QN00001A")
        assert f'href="/territoires/{code}/qpv/QN00001A/transitions"' in qpv.text
        workshop = client.get(f"/territoires/{code}/qpv/QN00001A/atelier")
        assert f'href="/territoires/{code}/qpv/QN00001A/transitions"' in workshop.text
        assert client.get(f"/territoires/{code}/qpv/QN99999Z/transitions").status_code == 404
