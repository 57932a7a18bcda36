"""A workshop over one diagnostic: suggestions, what-ifs and roadmaps for its QPV.

A :class:`Workshop` wraps a loaded :class:`~quartiers.diagnostic.Diagnostic` (baselines
always come from it) and, for what-ifs, the territory's normalised inputs. These are
reloaded lazily, offline, from the files named in ``run.json`` (the diagnostic's source
provenance), or from a workspace folder; walking access is recomputed the way ``quartiers
diagnose`` does. The baseline rerun and the last what-ifs are cached; a lock makes a
workshop safe to share between web requests.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from quartiers.actions.catalogue import Catalogue, default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.matching import Need, Suggestion, qpv_needs, qpv_row, suggest
from quartiers.actions.whatif import (
    WHATIF_ROBUSTNESS,
    WhatIfResult,
    complete_choices,
    run_whatif,
)
from quartiers.checksum import file_sha256
from quartiers.diagnostic import Diagnostic, IndicatorMemo
from quartiers.diagnostic.pipeline import diagnose
from quartiers.diagnostic.record import RunRecord, SourceRecord
from quartiers.errors import InputError, QuartiersError
from quartiers.method.spec import Method, default_method, parse_method
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.settings import Settings, get_settings
from quartiers.sources.catalog import CATALOG
from quartiers.sources.load import load_inputs
from quartiers.sources.place_changes import read_place_changes
from quartiers.sources.workspace import read_workspace

__all__ = ["CITY_PLACES_ID", "Workshop", "inputs_from_run", "recorded_file", "run_changes_csv"]

#: Source id under which ``run.json`` records the city's places file (not an official source).
CITY_PLACES_ID = "places"

logger = logging.getLogger(__name__)

InputsLoader = Callable[[], TerritoryInputs]
_CACHE_SIZE = 8


def inputs_from_run(
    run: RunRecord,
    *,
    settings: Settings | None = None,
    workspace: Path | None = None,
    changes_csv: Path | None = None,
    directory: Path | None = None,
) -> TerritoryInputs:
    """Reload a diagnostic's inputs, offline, from its workspace or the files it names.

    Parameters
    ----------
    run
        The diagnostic's ``run.json`` (``Diagnostic.record``).
    settings
        Settings (cache and workspace folders); always used offline.
    workspace
        A workspace folder written by ``quartiers fetch`` (read as is when given).
    changes_csv
        The city's places file the diagnostic's access used
        (:mod:`quartiers.sources.place_changes`), kept as ``extra_places`` so that every
        access recomputation applies it.

    Raises
    ------
    InputError
        The files are gone and no workspace holds the territory.
    """
    inputs = _reload(run, settings=settings, workspace=workspace, directory=directory)
    if changes_csv is not None:
        city = read_place_changes(Path(changes_csv))
        if inputs.extra_places is not None and len(inputs.extra_places):
            city = pd.concat([inputs.extra_places, city], ignore_index=True)
        inputs = replace(inputs, extra_places=city)
    return inputs


def run_changes_csv(run: RunRecord, directory: Path | None = None) -> Path | None:
    """Return the city's places file recorded in ``run.json`` (source ``places``), if found.

    See :func:`recorded_file` for where it is looked for.
    """
    for record in run.sources:
        if record.source_id == CITY_PLACES_ID:
            return recorded_file(record, directory)
    return None


def recorded_file(record: SourceRecord, directory: Path | None = None) -> Path | None:
    """Return the file a provenance record of ``run.json`` names, where it is now.

    The recorded path first; when the diagnostic folder was moved with its inputs inside it
    (the demo keeps them in ``entrees/``), the same trailing path under ``directory``, taken
    only if its SHA-256 is the recorded one.
    """
    location = record.location or ""
    if not location or "://" in location:
        return None
    path = Path(location)
    if path.exists():
        return path
    if directory is None:
        return None
    parts = path.parts
    for k in range(1, len(parts)):
        candidate = Path(directory).joinpath(*parts[-k:])
        if candidate.is_file() and file_sha256(candidate) == record.sha256:
            return candidate
    return None


def _reload(
    run: RunRecord,
    *,
    settings: Settings | None,
    workspace: Path | None,
    directory: Path | None = None,
) -> TerritoryInputs:
    if workspace is not None:
        return read_workspace(Path(workspace))
    code = run.territory.code
    if not code:
        raise InputError("run.json : code du territoire absent (champ territory.code)")
    local: dict[str, Path] = {}
    for record in run.sources:
        source_id = record.source_id
        if source_id == CITY_PLACES_ID:  # applied by the access step, not an official source
            continue
        path = recorded_file(record, directory)
        if source_id and source_id not in local and path is not None:
            local[source_id] = path
    used = run.source_ids()
    skip = [s.id for s in CATALOG if not s.required and s.id not in used]
    offline = (settings or get_settings()).model_copy(update={"offline": True})
    try:
        return load_inputs(code, local, settings=offline, skip=skip)
    except QuartiersError as exc:
        raise InputError(
            f"données d'entrée du territoire {code} introuvables pour la simulation ({exc}) : "
            "indiquez l'espace de travail du territoire"
        ) from exc


@dataclass
class _Baseline:
    inputs: TerritoryInputs
    access: pd.DataFrame | None
    before: Diagnostic


@dataclass
class Workshop:
    """Suggestions, what-ifs and roadmaps over one diagnostic (see the module docstring).

    Attributes
    ----------
    diagnostic
        The diagnostic as written (baselines of every figure).
    catalogue
        The actions on offer.
    loader
        Returns the territory's normalised inputs (None: what-ifs are refused).
    directory
        The diagnostic's output directory, when loaded from one.
    """

    diagnostic: Diagnostic
    catalogue: Catalogue = field(default_factory=default_catalogue)
    loader: InputsLoader | None = None
    directory: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _baseline: _Baseline | None = field(default=None, repr=False)
    _warming: threading.Thread | None = field(default=None, repr=False)
    _results: OrderedDict[str, WhatIfResult] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        catalogue: Catalogue | None = None,
        settings: Settings | None = None,
        workspace: Path | None = None,
        changes_csv: Path | None = None,
        diagnostic: Diagnostic | None = None,
    ) -> Workshop:
        """Load a diagnostic directory; its inputs are reloaded at the first what-if.

        ``changes_csv`` is the city's places file its access used (found by itself from
        ``run.json``, also when the folder was moved with its inputs). ``diagnostic`` is that
        directory's
        diagnostic when the caller has already loaded it (the web app).
        """
        diagnostic = diagnostic or Diagnostic.load(Path(directory))
        run = diagnostic.record
        city = changes_csv or run_changes_csv(run, Path(directory))

        def loader() -> TerritoryInputs:
            return inputs_from_run(
                run,
                settings=settings,
                workspace=workspace,
                changes_csv=city,
                directory=Path(directory),
            )

        return cls(
            diagnostic=diagnostic,
            catalogue=catalogue or default_catalogue(),
            loader=loader,
            directory=Path(directory),
        )

    # ------------------------------------------------------------------ reading

    @property
    def code(self) -> str:
        """Return the territory code (``run.json``)."""
        return self.diagnostic.record.territory.code

    @property
    def name(self) -> str:
        """Return the territory name (``run.json``)."""
        return self.diagnostic.record.territory.name

    @property
    def horizon(self) -> str:
        """Return the diagnostic's climate horizon id."""
        horizon = self.diagnostic.record.horizon.id
        return horizon if horizon in HORIZONS else "ref"

    def method(self) -> Method:
        """Return the diagnostic's method (from ``run.json``; the default if absent)."""
        record = self.diagnostic.record.method
        if not record.content:
            return default_method()
        return parse_method(record.content, source=record.source or "run.json")

    def needs(self, code_qp: str) -> list[Need]:
        """Return the QPV's needs, worst first."""
        return qpv_needs(self.diagnostic, code_qp, catalogue=self.catalogue)

    def suggestions(self, code_qp: str, *, limit: int | None = None) -> list[Suggestion]:
        """Return the catalogue's actions ranked for the QPV."""
        return suggest(self.diagnostic, code_qp, self.catalogue, limit=limit)

    # ------------------------------------------------------------------ what-if

    @property
    def can_simulate(self) -> bool:
        """Return whether what-ifs can run (a loader of the inputs is known)."""
        return self.loader is not None

    def warm(self) -> threading.Thread | None:
        """Start preparing the what-if baseline in the background; return the thread.

        Called when a workshop page opens (``quartiers serve``): the first simulation then
        finds the baseline rerun ready instead of waiting for it (about 11 s on the demo).
        Does nothing when simulations are impossible or the baseline is ready or under way;
        an error is left for the first simulation to report (it prepares again).
        """
        if not self.can_simulate or self._baseline is not None or self._warming is not None:
            return None
        self._warming = threading.Thread(target=self._warm, name="preparation-atelier", daemon=True)
        self._warming.start()
        return self._warming

    def _warm(self) -> None:
        with self._lock:
            try:
                self._prepare()
            except QuartiersError:
                logger.info("préparation de l'atelier %s impossible d'avance", self.name)

    def _prepare(self) -> _Baseline:
        if self._baseline is not None:
            return self._baseline
        if self.loader is None:
            raise InputError(
                f"territoire {self.name} : données d'entrée non disponibles, la simulation "
                "est impossible (seules les suggestions et la feuille de route sans cible "
                "simulée le sont)"
            )
        inputs = self.loader()
        walked = self.diagnostic.record.summary.access_given
        before = diagnose(
            inputs,
            method=self.method(),
            horizon=self.horizon,
            access=walked,
            robustness=WHATIF_ROBUSTNESS,
            memo=IndicatorMemo(),
        )
        _check_rerun(self.diagnostic, before)
        access = before.access if walked else None
        self._baseline = _Baseline(inputs=inputs, access=access, before=before)
        return self._baseline

    def complete(self, code_qp: str, choices: Sequence[Choice]) -> list[Choice]:
        """Return the choices with the QPV's default cells, points and shares filled in."""
        qpv_row(self.diagnostic, code_qp)
        return complete_choices(self.diagnostic, code_qp, choices, self.catalogue)

    def whatif(self, code_qp: str, choices: Sequence[Choice]) -> WhatIfResult:
        """Run (or return from cache) the what-if of the choices in a QPV."""
        full = self.complete(code_qp, choices)
        key = json.dumps([c.model_dump(mode="json") for c in full], sort_keys=True)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            base = self._prepare()
            result = run_whatif(
                base.inputs,
                full,
                catalogue=self.catalogue,
                method=self.method(),
                horizon=self.horizon,
                access=base.access,
                before=base.before,
            )
            self._results[key] = result
            while len(self._results) > _CACHE_SIZE:
                self._results.popitem(last=False)
            return result


def _check_rerun(stored: Diagnostic, rerun: Diagnostic) -> None:
    """Warn when the rerun baseline differs from the stored diagnostic (code or data moved)."""
    a = stored.qpv_table().set_index("code_qp")["index"]
    b = rerun.qpv_table().set_index("code_qp")["index"].reindex(a.index)
    x = pd.to_numeric(a, errors="coerce").to_numpy(dtype="float64")
    y = pd.to_numeric(b, errors="coerce").to_numpy(dtype="float64")
    differ = ~((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-9))
    if differ.any():
        logger.warning(
            "le recalcul du diagnostic diffère du diagnostic enregistré pour %d QPV : la "
            "simulation compare au recalcul, la feuille de route garde les valeurs "
            "enregistrées comme situation de départ",
            int(differ.sum()),
        )
