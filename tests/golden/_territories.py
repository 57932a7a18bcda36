"""The two diagnostics kept as golden outputs: the demo territory and La Roche-sur-Yon."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GOLDEN", "diagnose_demo", "diagnose_la_roche"]

#: Folder of the golden snapshots (one sub-folder per territory).
GOLDEN = Path(__file__).parent / "data"


def diagnose_demo(out: Path) -> Path:
    """Run the demo (default seed, horizon, method) into ``out`` and return the folder."""
    from quartiers.demo.pipeline import run_demo

    run_demo(out)
    return out


def diagnose_la_roche(shared_data: Path, out: Path) -> Path:
    """Diagnose La Roche-sur-Yon (85191) from the real extracts into ``out``.

    QPV, Filosofi 2021, communes and Climadiag only (no OSM, LCZ, BD TOPO, BPE, DRIAS), with
    the uncertainty, Sobol and hotspot settings of the default method.
    """
    from quartiers.diagnostic import run_diagnostic
    from quartiers.settings import get_settings
    from quartiers.sources.load import load_inputs

    settings = get_settings(
        offline=True, workspace_dir=out / ".espace", cache_dir=out / ".espace" / "cache"
    )
    sources = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
    }
    inputs = load_inputs(
        "85191",
        sources,
        settings=settings,
        use_workspace=False,
        skip=["bpe", "osm", "lcz", "drias", "bdtopo"],
    )
    run_diagnostic(inputs).write(out)
    return out
