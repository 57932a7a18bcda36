"""The notebook of docs/notebooks runs from top to bottom on the demo territory."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "premier-diagnostic.ipynb"


@pytest.mark.slow
def test_first_diagnostic_notebook_runs(tmp_path: Path) -> None:
    """Every cell executes without error; the map is drawn and ranks are compared."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no map drawn"
    tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("rank_plus_social" in t for t in tables), "no rank comparison shown"
