"""One map classification: a cell has the same class, colour and words on the web map, in
``carte.html`` and on the PDF maps (the demo territory, every mapped quantity of carte.html)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from _carte_data import carte_data
from quartiers.diagnostic import Diagnostic
from quartiers.outputs.classes import class_of
from quartiers.report.maps import index_classes
from quartiers.web.catalog import load_territory


def _carte_data(directory: Path) -> dict[str, object]:
    return carte_data(directory / "carte.html")


def _web_classes(values: np.ndarray, breaks: list[float]) -> list[int]:
    """The rule of carto.js ``classOf``: count the breaks strictly below the value."""
    out = []
    for v in values:
        out.append(-1 if not np.isfinite(v) else sum(1 for b in breaks if v > b))
    return out


def test_web_carte_and_pdf_agree_on_every_cell(demo_run: object) -> None:
    directory = demo_run.out_dir  # type: ignore[attr-defined]
    web = load_territory(directory)
    diag = Diagnostic.load(directory)
    carte = _carte_data(directory)
    features = carte["cells"]["features"]  # type: ignore[index]
    ids = [f["properties"]["idcar_200m"] for f in features]
    assert ids == diag.cells["idcar_200m"].astype(str).tolist()
    layers = carte["indicators"]
    assert layers, "carte.html maps nothing"
    for layer in layers:  # type: ignore[union-attr]
        column = layer["column"]
        legend = web.legend(column)
        assert layer["breaks"] == list(legend.breaks), column
        assert layer["colours"] == list(legend.colours), column
        assert layer["labels"] == list(legend.labels), column
        assert layer["label"] == legend.title, column
        values = diag.cells[column].to_numpy(dtype="float64", na_value=np.nan)
        page = [f["properties"][layer["classColumn"]] for f in features]
        expected = _web_classes(values, list(legend.breaks)) if legend.colours else [-1] * len(ids)
        assert page == expected, column
    pdf_legend, pdf_classes = index_classes(diag)
    web_legend = web.legend("index")
    assert (pdf_legend.breaks, pdf_legend.colours, pdf_legend.labels) == (
        web_legend.breaks,
        web_legend.colours,
        web_legend.labels,
    )
    values = diag.cells["index"].to_numpy(dtype="float64", na_value=np.nan)
    assert pdf_classes.tolist() == _web_classes(values, list(web_legend.breaks))
    assert pdf_classes.tolist() == class_of(values, web_legend.breaks).tolist()
