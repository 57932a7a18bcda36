"""Rebuild ``src/quartiers/sources/data/epci.json`` (the shipped EPCI list) from npm.

Usage (the vintage must match the ADMIN EXPRESS COG the ``communes`` source reads, 2026 today)::

    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0
    .venv/bin/python scripts/build_epci_list.py /tmp/…/etalab-decoupage-administratif-6.0.0.tgz

Versions by vintage (package README): 2024 → 4.1.0, 2025 → 5.3.0, 2026 → 6.0.0.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from quartiers.sources.epci_list import build_epci_list

OUT = Path(__file__).resolve().parents[1] / "src" / "quartiers" / "sources" / "data" / "epci.json"


def main() -> None:
    """Read the tarball given on the command line and write the compact JSON list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="etalab-decoupage-administratif-*.tgz")
    parser.add_argument("--out", type=Path, default=OUT, help=f"fichier écrit (défaut : {OUT})")
    args = parser.parse_args()
    data = build_epci_list(args.tarball)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # One EPCI per line: readable diffs between vintages.
    text = text.replace('],["', '],\n["')
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out} : {len(data['epci'])} EPCI, {data['package']}, millésime {data['vintage']}")


if __name__ == "__main__":
    main()
