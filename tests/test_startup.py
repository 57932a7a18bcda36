"""The CLI starts without the heavy libraries: they are imported by the command that needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "geopandas", "numpy", "scipy", "shapely", "weasyprint", "matplotlib", "esda")

_PROBE = """
import sys
from quartiers.cli import main
code = main({argv!r})
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["diagnose", "--help"], ["demo", "--help"], ["sources"], ["--version"]],
    ids=lambda a: " ".join(a),
)
def test_cli_starts_without_heavy_libraries(argv: list[str]) -> None:
    """Help, version and the sources list import none of the scientific stack."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    assert line == "HEAVY=", f"quartiers {' '.join(argv)} imported {line[6:]}"


def test_the_diagnostic_path_leaves_downloads_and_kd_trees_out() -> None:
    """httpx (a download) and scipy.spatial (walking access, DRIAS points) load when used."""
    code = (
        "import sys\n"
        "import quartiers.diagnostic.run, quartiers.diagnostic.pipeline, quartiers.sources.load\n"
        "import quartiers.access, quartiers.sources.drias, quartiers.sources.lcz_fetch\n"
        "print(sorted(m for m in ('httpx', 'scipy.spatial') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert out.strip() == "[]"
