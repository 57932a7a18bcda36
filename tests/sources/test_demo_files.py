"""The demo territory's files, written in the official formats, load through the same readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.schemas import (
    BPE_COLUMNS,
    CLIMATE_COLUMNS,
    COMMUNE_COLUMNS,
    FILOSOFI_COLUMNS,
    LCZ_COLUMNS,
    QPV_COLUMNS,
)
from quartiers.settings import get_settings
from quartiers.sources import bpe, climadiag, communes, filosofi, lcz, qpv
from quartiers.sources.load import load_inputs

generator = pytest.importorskip("quartiers.demo.generator", reason="module demo absent")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths: dict[str, Path] = generator.generate(tmp_path_factory.mktemp("demo"))
    return paths


def test_each_reader_loads_its_demo_file(demo: dict[str, Path]) -> None:
    assert list(qpv.read_qpv(demo["qpv"]).columns) == QPV_COLUMNS
    cells = filosofi.read_filosofi(demo["filosofi"])
    assert list(cells.columns) == FILOSOFI_COLUMNS and cells["imputed"].any()
    table = bpe.read_bpe(demo["bpe"])
    assert list(table.columns) == BPE_COLUMNS
    assert {"care", "cool_indoor", "information"} <= set(table["category"])
    assert list(lcz.read_lcz(demo["lcz"]).columns) == LCZ_COLUMNS
    climate = climadiag.read_climadiag(demo["climadiag"])
    assert list(climate.columns) == CLIMATE_COLUMNS and "S3" in set(climate["indicator"])
    towns = communes.read_communes(demo["communes"])
    assert list(towns.columns) == COMMUNE_COLUMNS and len(towns) >= 1
    assert not communes.read_epci_layer(demo["communes"]).empty


def test_load_inputs_on_the_demo(demo: dict[str, Path], tmp_path: Path) -> None:
    ids = ("qpv", "filosofi", "bpe", "lcz", "climadiag", "communes")
    sources = {k: demo[k] for k in ids}
    settings = get_settings(cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w", offline=True)
    towns = communes.read_communes(demo["communes"])
    siren = str(towns["siren_epci"].iloc[0])
    inputs = load_inputs(siren, sources, settings=settings, skip=["osm"])
    assert inputs.notes.territory is not None and inputs.notes.territory.kind == "epci"
    assert len(inputs.communes) == len(towns) and not inputs.qpv.empty
    assert inputs.cells["ind"].sum() > 0 and inputs.bpe is not None and inputs.lcz is not None
    assert {p.source_id for p in inputs.provenance} == set(ids)
