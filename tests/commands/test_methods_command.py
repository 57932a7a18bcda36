"""``quartiers methods`` lists the packaged methods that ``--method NAME`` accepts."""

from __future__ import annotations

import pytest

from quartiers.cli import console, main
from quartiers.method.spec import Method, packaged_methods


def test_methods_lists_every_packaged_method(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shared console's width was fixed when first used (80 columns under pytest-xdist)
    monkeypatch.setattr(console, "width", 200)
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("(défaut)", "v1", "inondation", "multi-aleas"):
        assert name in out
    assert "inondations et submersions marines" in out
    assert {"inondation", "multi-aleas", "v1"} <= set(packaged_methods())


def test_hazard_methods_validate_and_use_hazard_indicators() -> None:
    flood = Method.load("inondation")
    assert set(flood.dimensions["exposure"].indicators) == {"flood_residents", "sea_residents"}
    multi = Method.load("multi-aleas")
    assert {"lcz_heat", "clay_residents"} <= set(multi.dimensions["exposure"].indicators)


def test_housing_method_uses_the_dpe_indicators() -> None:
    housing = Method.load("logement-chaleur")
    assert "logement-chaleur" in packaged_methods()
    assert "share_summer_comfort_poor" in housing.dimensions["exposure"].indicators
    assert {"share_dpe_fg", "energy_poverty_proxy"} <= set(
        housing.dimensions["sensitivity"].indicators
    )
    # the coverage is shown beside the index, never scored
    assert all("dpe_coverage" not in d.indicators for d in housing.dimensions.values())
