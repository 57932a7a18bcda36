"""The demo run end to end: generate Ville-Témoin, read it back like real data, diagnose it.

This composes the same public steps a real territory goes through (sources readers →
:func:`quartiers.diagnose` → output directory), so the demo proves the
real pipeline rather than a shortcut.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from quartiers.demo._sante import simulate_health
from quartiers.demo.generator import DEFAULT_SEED, generate
from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic.basemap import build_basemap
from quartiers.diagnostic.health_validation import add_health_validation
from quartiers.diagnostic.pipeline import diagnose
from quartiers.progress import NullProgress, Progress
from quartiers.report.carte_inputs import write_diagnostic_map
from quartiers.schemas import Provenance
from quartiers.settings import Settings, get_settings
from quartiers.sources.load import city_file_provenance, load_inputs
from quartiers.sources.sante import read_health

__all__ = ["DEMO_TERRITORY", "DemoRun", "run_demo"]

logger = logging.getLogger(__name__)

#: Where the demo writes its SIMULATED health outcomes (under the inputs folder).
SIMULATED_HEALTH = Path("sante") / "passages_urgences_SIMULES.csv"

#: SIREN of the fictitious agglomeration of Ville-Témoin (its communes are in département "00").
DEMO_TERRITORY = "200000001"


@dataclass(frozen=True)
class DemoRun:
    """What a demo run produced."""

    out_dir: Path
    inputs_dir: Path
    sources: dict[str, Path]
    diagnostic: Diagnostic
    files: dict[str, Path]


def run_demo(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    horizon: str = "ref",
    settings: Settings | None = None,
    progress: Progress | None = None,
    final_dir: Path | None = None,
) -> DemoRun:
    """Generate the demo territory into ``out_dir/entrees`` and write its diagnostic in ``out_dir``.

    Parameters
    ----------
    out_dir
        Output directory (created); the generated official-format inputs go to
        ``out_dir/entrees`` and the diagnostic files to ``out_dir`` itself.
    seed
        Seed of the generator (same seed, same territory).
    horizon
        Climate horizon of the exposure dimension.
    settings
        Settings; the workspace is kept inside ``out_dir`` so nothing else is written.
    progress
        Progress reporter.
    final_dir
        Where ``out_dir`` will be moved once complete (atomic outputs build in a temporary
        sibling): ``run.json`` records the input paths under it.
    """
    progress = progress or NullProgress()
    out_dir = Path(out_dir)
    inputs_dir = out_dir / "entrees"
    paths = generate(inputs_dir, seed=seed, progress=progress)
    base = settings or get_settings()
    settings = base.model_copy(
        update={"workspace_dir": out_dir / ".espace", "cache_dir": out_dir / ".espace" / "cache"}
    )
    sources = {key: path for key, path in paths.items() if key != "places"}
    inputs = load_inputs(
        DEMO_TERRITORY, sources, settings=settings, progress=progress, use_workspace=False
    )
    # The city's list of cooled rooms is read by the access module as city places.
    places = paths["places"]
    inputs.provenance.append(
        city_file_provenance("places", places, title="salles rafraîchies (territoire fictif)")
    )
    if final_dir is not None:
        inputs.provenance = [_relocated(p, out_dir, Path(final_dir)) for p in inputs.provenance]
    diagnostic = diagnose(inputs, horizon=horizon, places=places, progress=progress)
    # Worked example of the validation against health outcomes, on SIMULATED counts.
    simulated = simulate_health(diagnostic.cells, inputs_dir / SIMULATED_HEALTH, seed=seed)
    diagnostic = add_health_validation(diagnostic, read_health(simulated), simulated=True)
    diagnostic = replace(diagnostic, basemap=build_basemap(inputs, diagnostic.qpv))
    files = diagnostic.write(out_dir)
    files["carte"] = write_diagnostic_map(diagnostic, out_dir, fictitious=True)
    return DemoRun(
        out_dir=out_dir, inputs_dir=inputs_dir, sources=paths, diagnostic=diagnostic, files=files
    )


def _relocated(record: Provenance, built: Path, final: Path) -> Provenance:
    """Return ``record`` with a location under ``built`` moved under ``final``."""
    location, built = Path(record.location), built.resolve()
    if not location.is_relative_to(built):
        return record
    moved = final.absolute().parent.resolve() / final.name / location.relative_to(built)
    return replace(record, location=str(moved))
