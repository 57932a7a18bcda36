"""Record the golden outputs (run on demand, never by the test suite).

Run: ``.venv/bin/python tests/golden/record.py`` from the project root, with ``../shared``
beside it. Only when a change of published numbers is intended: say which and why in the
commit message.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, as pytest does

from golden._snapshot import TABLES, run_record
from golden._territories import GOLDEN, diagnose_demo, diagnose_la_roche

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def keep(out: Path, name: str) -> None:
    """Copy the snapshot of the output directory ``out`` to ``GOLDEN/name``."""
    target = GOLDEN / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for source, golden in TABLES.items():
        path = out / source
        if not path.is_file():
            continue
        if source.endswith(".parquet"):
            import pandas as pd

            frame = pd.read_parquet(path).drop(columns=["geometry"], errors="ignore")
            frame.to_parquet(target / golden, index=False)
        else:
            shutil.copyfile(path, target / golden)
    record = run_record(out)
    (target / "run.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{target} : {sorted(p.name for p in target.iterdir())}")


def main() -> int:
    """Record both snapshots."""
    if not (SHARED / "README.md").is_file():
        print(f"{SHARED} absent : les sorties de référence de La Roche-sur-Yon demandent ../shared")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        keep(diagnose_demo(Path(tmp) / "demo"), "demo")
        keep(diagnose_la_roche(SHARED, Path(tmp) / "lry"), "la-roche-sur-yon")
    return 0


if __name__ == "__main__":
    sys.exit(main())
