"""Golden outputs: restructuring the code must not move a published number.

The snapshots of ``tests/golden/data`` were recorded by ``tests/golden/record.py``; every
table and ``run.json`` (without times, paths, versions and file hashes) must come out the
same, floats to 1e-12 (summation order may change in the last bits).
"""

from __future__ import annotations

import json
from pathlib import Path

from golden._snapshot import compare_json, compare_table, read_tables, run_record
from golden._territories import GOLDEN

RTOL = 1e-12


def _check(out: Path, name: str) -> None:
    golden_dir = GOLDEN / name
    golden = read_tables(golden_dir)
    mine = read_tables(out)
    assert sorted(mine) == sorted(golden), "the output tables differ from the golden ones"
    for table, frame in golden.items():
        compare_table(mine[table], frame, name=f"{name}/{table}", rtol=RTOL)
    record = json.loads((golden_dir / "run.json").read_text(encoding="utf-8"))
    compare_json(run_record(out), record, path=f"{name}/run.json", rtol=RTOL)


def test_demo_numbers_are_the_golden_ones(demo_run: object) -> None:
    _check(demo_run.out_dir, "demo")  # type: ignore[attr-defined]


def test_la_roche_numbers_are_the_golden_ones(lry_dir: Path) -> None:
    _check(lry_dir, "la-roche-sur-yon")
