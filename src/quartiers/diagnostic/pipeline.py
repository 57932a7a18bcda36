"""The one entry point: :func:`diagnose` reads, computes access, indicators, index, robustness.

Every caller that needs a diagnostic — the ``diagnose`` and ``demo`` commands, the
workshop's what-if, the roadmap's ``--simulate``, a notebook — goes through here, so
walking access is decided in one place and the costly intermediates (street network,
overlap weights) can be handed back for a rerun.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.access import walk_access
from quartiers.access.network import WalkNetwork
from quartiers.diagnostic._indicator_memo import IndicatorMemo
from quartiers.diagnostic._reference_build import TerritoryReference, territory_reference
from quartiers.diagnostic.run import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.errors import InputError
from quartiers.heap import release_large_arrays
from quartiers.method.spec import Method
from quartiers.parallel import SERIAL, Executor, open_executor
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import BBox, TerritoryInputs
from quartiers.settings import Settings, get_settings
from quartiers.sources.load import city_file_provenance, load_inputs
from quartiers.sources.multi import merge_inputs
from quartiers.spatial.overlaps import Overlaps

__all__ = ["diagnose", "has_streets", "read_territories", "reference_of"]

SourceFiles = Mapping[str, Path | Sequence[Path]]


def diagnose(
    territory: str | Sequence[str] | TerritoryInputs,
    *,
    sources: SourceFiles | None = None,
    method: Method | str | Path | None = None,
    horizon: str | None = None,
    places: Path | None = None,
    skip: Iterable[str] = (),
    settings: Settings | None = None,
    robustness: RobustnessOptions | None = None,
    access: pd.DataFrame | bool | None = None,
    network: WalkNetwork | None = None,
    overlaps: Overlaps | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    memo: IndicatorMemo | None = None,
) -> Diagnostic:
    """Diagnose the heat-wave vulnerability of the QPV of one or several territories.

    Parameters
    ----------
    territory
        A commune code (INSEE), an EPCI SIREN, a name, ``dep:CODE``, ``reg:CODE`` or
        ``france``; several of them (one run, one scale); or inputs already read
        (:class:`quartiers.schemas.TerritoryInputs`, e.g. changed by a what-if).
    sources
        Local files per source id (``{"filosofi": Path(...)}``; a list reads several files
        as one); other sources come from the workspace or are downloaded.
    method
        A :class:`quartiers.method.spec.Method`, a method file, a packaged method name
        (``"v1"``) or None for the documented default.
    horizon
        Climate horizon (``ref``, ``2030``, ``2050``, ``2100``); the method's when None.
    places
        The city's places CSV (openings, closures, cooled rooms), applied to walking access
        and recorded in the provenance (source ``places``) unless the inputs record it.
    skip
        Optional source ids not to use.
    settings
        Settings (workspace, cache, offline); read from the environment when None.
    robustness
        Rank intervals, Sobol indices and hotspots (the method's settings when None).
    access
        None: walking access is computed when the inputs carry an OpenStreetMap extract;
        False: not computed; True: required; a table: walking access already computed
        on these inputs (``idcar_200m`` index), used as is.
    network, overlaps, memo
        What a previous run built (:attr:`Diagnostic.network`, ``overlaps``, ``memo`` — a
        what-if's baseline, forked): reused when it matches the streets, cells, QPV and
        communes; indicator steps are reused when their layers are the same objects.
    progress
        Receives the steps and their progress (French labels).
    workers
        Compute the independent parts (per région: zones, overlaps, walking access; blocks
        of draws) on a Dask ``LocalCluster`` of this many processes, closed after.
    scheduler
        Address ``tcp://HOST:PORT`` of an existing Dask scheduler for those parts
        (``QUARTIERS_SCHEDULER`` when neither option is given). With neither, all runs here
        and Dask is not imported. Same numbers in the three cases (``docs/scale.md``).

    Returns
    -------
    Diagnostic
        Cells, QPV and zones (EPSG:3035) with indicators, index, ranks and robustness;
        ``.write(folder)`` writes the output directory.

    Raises
    ------
    quartiers.errors.QuartiersError
        Bad or missing input (French message naming the file and field), unknown method or
        horizon, a source not read or downloaded, a cluster not reachable or both options.
    """
    with _session(method, settings, progress, workers, scheduler) as run:
        inputs = _inputs_of(
            territory, sources, skip, run.settings, places, run.progress, run.executor
        )
        table, network = _access(inputs, access, places, network, run.progress, run.executor)
        diag = _run(inputs, run, horizon, table, robustness, (overlaps, memo))
    return replace(diag, network=network, access=table)


@dataclass(frozen=True)
class _Session:
    """What a :func:`diagnose` run is done with: method, settings, progress, executor."""

    method: Method
    settings: Settings
    progress: Progress
    executor: Executor


@contextmanager
def _session(
    method: Method | str | Path | None,
    settings: Settings | None,
    progress: Progress | None,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[_Session]:
    """Load the method and open the executor (the settings' scheduler when none is given)."""
    release_large_arrays()
    progress = progress or NullProgress()
    settings = settings or get_settings()
    if workers is None and scheduler is None:
        scheduler = settings.scheduler or None
    chosen = method if isinstance(method, Method) else Method.load(method)
    with open_executor(workers=workers, scheduler=scheduler) as executor:
        yield _Session(chosen, settings, progress, executor)


def _run(
    inputs: TerritoryInputs,
    run: _Session,
    horizon: str | None,
    table: pd.DataFrame | None,
    robustness: RobustnessOptions | None,
    reused: tuple[Overlaps | None, IndicatorMemo | None],
) -> Diagnostic:
    """Run the diagnostic on inputs read, with walking access computed (or not)."""
    overlaps, memo = reused
    return run_diagnostic(
        inputs,
        method=run.method,
        horizon=horizon or run.method.horizon,
        access=table,
        progress=run.progress,
        robustness=robustness or RobustnessOptions(),
        overlaps=overlaps,
        executor=run.executor,
        memo=memo,
    )


def reference_of(
    territory: str | Sequence[str] | TerritoryInputs,
    *,
    sources: SourceFiles | None = None,
    method: Method | str | Path | None = None,
    horizon: str | None = None,
    places: Path | None = None,
    skip: Iterable[str] = (),
    settings: Settings | None = None,
    vintage: str | None = None,
    progress: Progress | None = None,
) -> TerritoryReference:
    """Return the reference distribution of every indicator over the cells of territories.

    The territories are read, and walking access computed, exactly as :func:`diagnose`
    does (same parameters); the result is what ``quartiers reference build --territory``
    writes: a joint run of these territories with ``reference: run`` normalises against
    the same distribution.
    """
    progress = progress or NullProgress()
    chosen = method if isinstance(method, Method) else Method.load(method)
    inputs = _inputs_of(territory, sources, skip, settings, places, progress)
    table, _network = _access(inputs, None, places, None, progress)
    return territory_reference(
        inputs, method=chosen, horizon=horizon or chosen.horizon, access=table, vintage=vintage
    )


def read_territories(
    territories: Sequence[str],
    *,
    sources: SourceFiles,
    skip: Iterable[str],
    settings: Settings,
    progress: Progress,
    executor: Executor = SERIAL,
) -> TerritoryInputs:
    """Read the inputs of one or several territories as one (same sources for all).

    ``executor`` reads several OpenStreetMap extracts of a territory as parts (one Dask
    task per extract on a cluster).
    """
    if not territories:
        raise InputError("aucun territoire donné (code commune, SIREN d'EPCI, dep:, reg:…)")
    skipped = [s.lower() for s in skip]
    return merge_inputs(
        [
            load_inputs(
                code,
                sources,
                settings=settings,
                progress=progress,
                skip=skipped,
                executor=executor,
            )
            for code in dict.fromkeys(territories)
        ]
    )


def _inputs_of(
    territory: str | Sequence[str] | TerritoryInputs,
    sources: SourceFiles | None,
    skip: Iterable[str],
    settings: Settings | None,
    places: Path | None,
    progress: Progress,
    executor: Executor = SERIAL,
) -> TerritoryInputs:
    """Return the inputs given, or read them (see :func:`read_territories`), with ``places``."""
    if isinstance(territory, TerritoryInputs):
        return _with_places(territory, places)
    inputs = read_territories(
        [territory] if isinstance(territory, str) else list(territory),
        sources=sources or {},
        skip=skip,
        settings=settings or get_settings(),
        progress=progress,
        executor=executor,
    )
    return _with_places(inputs, places)


def _with_places(inputs: TerritoryInputs, places: Path | None) -> TerritoryInputs:
    """Return the inputs with the city's places CSV in their provenance (unless recorded)."""
    if places is None or any(p.source_id == "places" for p in inputs.provenance):
        return inputs
    return replace(
        inputs,
        provenance=[
            *inputs.provenance,
            city_file_provenance("places", places, title="lieux déclarés par la ville"),
        ],
    )


def has_streets(inputs: TerritoryInputs) -> bool:
    """Return whether the inputs carry streets to walk on (an OSM extract or its segments)."""
    return inputs.osm_path is not None or isinstance(inputs.notes.walk_edges, gpd.GeoDataFrame)


def _access(
    inputs: TerritoryInputs,
    access: pd.DataFrame | bool | None,
    places: Path | None,
    network: WalkNetwork | None,
    progress: Progress,
    executor: Executor = SERIAL,
) -> tuple[pd.DataFrame | None, WalkNetwork | None]:
    """Return walking access per cell and its network, following the ``access`` option."""
    if isinstance(access, pd.DataFrame):
        return access, network
    if access is False or (access is None and not has_streets(inputs)):
        if places is not None:
            raise InputError(
                f"{places} : la liste de lieux de la ville sert au calcul de l'accès à pied, "
                "qui demande un extrait OpenStreetMap (--source osm=…)"
            )
        return None, None
    result = walk_access(
        inputs,
        bbox_2154=_bbox(inputs),
        changes_csv=places,
        network=network,
        progress=progress,
        executor=executor,
    )
    return result.table, result.network


def _bbox(inputs: TerritoryInputs) -> BBox | None:
    """Return the clip box of the territory (EPSG:2154) recorded by the sources step."""
    territory = inputs.notes.territory
    box = territory.bbox_2154 if territory is not None else None
    if box is None:
        return None
    a, b, c, d = (float(v) for v in box)
    return (a, b, c, d)
