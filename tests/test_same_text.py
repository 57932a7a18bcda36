"""One French formatter: a value reads the same on the web page of a QPV, on its sheet and in
its roadmap (a share, a negative gap in points, a ratio, a missing value)."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from pathlib import Path

from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.roadmap import IndicatorRow as RoadmapRow
from quartiers.actions.roadmap import _indicators, build_roadmap
from quartiers.diagnostic import Diagnostic
from quartiers.report import _common as common
from quartiers.report.context import dimension_blocks
from quartiers.report.model import IndicatorRow as SheetRow
from quartiers.web.catalog import load_territory
from quartiers.web.payloads import build_payloads
from quartiers.web.qpv_view import qpv_context

COLUMN = "canopy_share"  # a share, monitored by the roadmap of « shade_trees »
OWN, REST = 0.3472, 0.36  # QPV value and rest of the commune


def _controlled(diag: Diagnostic) -> tuple[Diagnostic, str, str]:
    """Return the demo with a known share in one QPV and the share missing in the other."""
    qpv, zones = diag.qpv.copy(), diag.zones.copy()
    codes = qpv["code_qp"].astype(str)
    known, missing = codes.iloc[0], codes.iloc[1]
    insee = str(qpv.loc[codes == known, "insee_com"].iloc[0])
    assert "," not in str(qpv.loc[codes == known, "insee_coms"].iloc[0])
    zones.loc[zones["zone_id"].astype(str) == f"commune:{insee}", COLUMN] = REST
    qpv.loc[codes == known, COLUMN] = OWN
    qpv.loc[codes == known, f"gap_commune_{COLUMN}"] = OWN - REST
    qpv.loc[codes == known, f"ratio_commune_{COLUMN}"] = OWN / REST
    for column in (COLUMN, f"gap_commune_{COLUMN}", f"ratio_commune_{COLUMN}"):
        qpv.loc[codes == missing, column] = math.nan
    return dataclasses.replace(diag, qpv=qpv, zones=zones), known, missing


def _web_row(directory: Path, code: str) -> dict[str, str]:
    td = load_territory(directory)
    context = qpv_context(td, build_payloads(td), code)
    rows = [r for g in context["groups"] for r in g["rows"] if r["id"] == COLUMN]
    assert len(rows) == 1
    return rows[0]  # type: ignore[no-any-return]


def _sheet_row(diag: Diagnostic, code: str) -> SheetRow:
    row = common.qpv_row(diag, code)
    blocks = dimension_blocks(diag, row, epci=False, charts=False)
    return next(r for b in blocks for r in b.rows if r.id == COLUMN)


def _roadmap_row(diag: Diagnostic, code: str) -> RoadmapRow:
    catalogue = default_catalogue()
    roadmap = build_roadmap(
        diag, code, [Choice(action="shade_trees")], catalogue=catalogue, today=date(2026, 6, 15)
    )
    return next(r for r in roadmap.indicators if r.indicator == COLUMN)


def test_one_value_reads_the_same_on_the_web_the_sheet_and_the_roadmap(
    demo_run: object, tmp_path: Path
) -> None:
    diag, known, missing = _controlled(Diagnostic.load(demo_run.out_dir))  # type: ignore[attr-defined]
    diag.write(tmp_path)
    for code, value, gap, ratio in (
        (known, "34,7\u00a0%", "\u22121,3\u00a0pt", "×0,96"),
        (missing, "non disponible", "non disponible", "non disponible"),
    ):
        web, sheet, roadmap = (
            _web_row(tmp_path, code),
            _sheet_row(diag, code),
            _roadmap_row(diag, code),
        )
        assert web["display"] == sheet.qpv == roadmap.baseline_text == value, code
        assert web["commune_gap"] == sheet.gap == gap, code
        assert web["commune_ratio"] == sheet.ratio == ratio, code
    # A simulated change of the roadmap is a gap too: the same text as the sheet's gap.
    row = common.qpv_row(diag, known)
    shade = next(a for a in default_catalogue().actions if a.id == "shade_trees")
    simulated = _indicators(row, [shade], {COLUMN: OWN - REST}, simulated=True)
    target = next(r for r in simulated if r.indicator == COLUMN).target_text
    assert target == f"{_percent(OWN + OWN - REST)} ({_sheet_row(diag, known).gap})"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}\u00a0%".replace(".", ",")


def test_the_demo_sheet_has_no_other_number_style(demo_run: object) -> None:
    diag = Diagnostic.load(demo_run.out_dir)  # type: ignore[attr-defined]
    code = str(diag.qpv["code_qp"].iloc[0])
    rows = [r for b in dimension_blocks(diag, common.qpv_row(diag, code), epci=True, charts=False)
            for r in b.rows]  # fmt: skip
    texts = [t for r in rows for t in (r.qpv, r.commune, r.epci, r.gap, r.ratio) if t]
    assert texts
    for text in texts:
        assert "-" not in text and "." not in text.replace("pers.", ""), text
        assert "\u202f%" not in text and " pts" not in text and "× " not in text, text
