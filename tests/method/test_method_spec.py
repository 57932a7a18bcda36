"""Method file validation: every bad input gives a French MethodError naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import MethodError
from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
from quartiers.indicators.housing_registry import HOUSING_INDICATORS
from quartiers.indicators.registry import REGISTRY
from quartiers.method.spec import default_method, load_method, packaged_method, parse_method

DEFAULT = packaged_method("v1").text  # edited below: its weights are known


def _bad(text: str, *patterns: str) -> None:
    with pytest.raises(MethodError) as err:
        parse_method(text, source="ma_methode.yaml")
    message = str(err.value)
    assert message.startswith("ma_methode.yaml : ")
    for pattern in patterns:
        assert pattern in message, message


def test_default_method_is_valid_and_complete() -> None:
    method = default_method()
    assert method.horizon == "ref"
    assert len(method.sha256) == 64
    listed = {i for dim in method.dimensions.values() for i in dim.indicators}
    assert method.hazard is not None
    listed |= set(method.hazard.indicators)
    # every indicator of the registry is in the index or the hazard level of v2, or in v1,
    # except those docs/method.md publishes outside the default index (top floor: heights are
    # often missing, it would leave the sensitivity of those cells partial)
    v1 = {i for dim in packaged_method("v1").dimensions.values() for i in dim.indicators}
    # hazard exposures: in the flood and multi-hazard methods, published by every run
    # and the DPE indicators: in the logement-chaleur method, published when a DPE file is given;
    # food and nature indicators of the other transitions (issue 21): published, never in the index
    published_only = {
        "top_floor_share",
        "dist_fresh_food",
        "dist_shared_garden",
        "dist_green_1ha",
        "green_network_ha",
        "desealable_share",
        *(i.id for i in HAZARD_INDICATORS),
        *(i.id for i in HOUSING_INDICATORS),
    }
    assert not listed & published_only
    assert listed | v1 | published_only == set(REGISTRY)


def test_unknown_indicator() -> None:
    _bad(
        DEFAULT.replace("poverty_rate: 0.20", "taux_pauvrete: 0.20"),
        "dimensions.sensitivity.indicators.taux_pauvrete",
        "indicateur inconnu",
    )


def test_indicator_in_wrong_dimension() -> None:
    text = DEFAULT.replace("      poverty_rate: 0.20\n", "").replace(
        "      lcz_heat: 0.25", "      lcz_heat: 0.05\n      poverty_rate: 0.20"
    )
    _bad(text, "dimensions.exposure.indicators.poverty_rate", "« sensitivity »")


def test_negative_weight() -> None:
    _bad(
        DEFAULT.replace("share_0_3: 0.08", "share_0_3: -0.08"),
        "dimensions.sensitivity.indicators.share_0_3.weight",
        "poids négatif",
    )


def test_weights_not_summing_as_declared() -> None:
    _bad(
        DEFAULT.replace("share_0_3: 0.08", "share_0_3: 0.18"),
        "dimensions.sensitivity.indicators",
        "totalisent 1.1",
        "weights_sum déclare 1",
    )
    _bad(DEFAULT.replace("weight: 0.4", "weight: 0.5"), "« dimensions »", "totalisent 1.1")
    scaled = DEFAULT.replace("weights_sum: 1.0", "weights_sum: 2.0")
    _bad(scaled, "weights_sum déclare 2")


def test_unknown_normalisation_and_aggregation() -> None:
    _bad(
        DEFAULT.replace("normalisation: percentile", "normalisation: rang"),
        "« normalisation »",
        "normalisation inconnue 'rang'",
        "percentile, minmax, zscore, bounds",
    )
    _bad(
        DEFAULT.replace("across: arithmetic", "across: harmonique"),
        "aggregation.across",
        "agrégation inconnue",
    )


def test_unknown_horizon() -> None:
    _bad(DEFAULT.replace("horizon: ref", "horizon: 2070"), "« horizon »", "horizon inconnu '2070'")
    assert (
        parse_method(DEFAULT.replace("horizon: ref", "horizon: 2050"), source="x").horizon == "2050"
    )


def test_bounds_rules_and_zscore_with_geometric() -> None:
    _bad(
        DEFAULT.replace("bounds: [0, 40]", "bounds: [40, 0]"),
        "heat_wave_days.bounds",
        "min < max",
    )
    _bad(
        DEFAULT.replace("normalisation: percentile", "normalisation: zscore").replace(
            "within: arithmetic", "within: geometric"
        ),
        "incompatible avec l'agrégation géométrique",
    )


def test_structure_errors_in_french() -> None:
    _bad(DEFAULT.replace("weight: 0.4", "weight: beaucoup"), "sensitivity.weight", "nombre attendu")
    _bad(
        DEFAULT.replace("weight: 0.4", "poids: 0.4"), "champ inconnu", "champ obligatoire manquant"
    )
    _bad("- une liste\n", "table YAML")
    _bad("dimensions: [\n", "YAML illisible ligne")
    _bad(DEFAULT.replace('"1": 4', '"11": 4'), "lcz_heat_scores.11", "classe LCZ inconnue")


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "méthode.yaml"
    path.write_text(DEFAULT.replace("population_floor: 500", "population_floor: 800"), "utf-8")
    method = load_method(path)
    assert method.population_floor == 800
    assert method.source == str(path) and "800" in method.text
    with pytest.raises(MethodError, match=r"absente\.yaml : fichier de méthode illisible"):
        load_method(tmp_path / "absente.yaml")
