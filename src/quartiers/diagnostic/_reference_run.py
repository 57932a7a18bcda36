"""Which reference distribution a run normalises against (orchestrator; method ``reference``).

:func:`prepare` reads the method's choice once (and the reference file, if any, checked
against the run's Filosofi vintage); :meth:`RunReference.build` then gives the
:class:`~quartiers.method.normalise.Reference` of the indicators of the index, and
:meth:`RunReference.record` what ``run.json`` says of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic._side_tables import cell_commune
from quartiers.diagnostic._territories import territories_of, territory_codes
from quartiers.diagnostic.reference_file import ReferenceFile, indicator_settings, read_reference
from quartiers.indicators.registry import ACCESS_CATEGORIES
from quartiers.method.normalise import Reference
from quartiers.method.reference import REFERENCES, reference_kind
from quartiers.method.spec import Method
from quartiers.schemas import TerritoryInputs

__all__ = ["Grouped", "RunReference", "prepare", "reference_path", "run_vintage"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Grouped:
    """One reference per territory (``reference: territory``).

    A unit of territory ``g`` is normalised against ``refs[g]`` (the cells of ``g``); a
    unit in no territory (group -1: a margin cell outside every commune and clip box)
    against ``overall``, the distribution of every cell of the run.
    """

    overall: Reference
    refs: dict[int, Reference]

    def split(self, groups: IntArray) -> list[tuple[IntArray, Reference]]:
        """Return ``(rows, reference)`` for each group present in ``groups``."""
        return [
            (np.flatnonzero(groups == g), self.refs.get(int(g), self.overall))
            for g in np.unique(groups)
        ]


def reference_path(method: Method) -> Path:
    """Return the reference file of a method (relative paths: from the method file's folder)."""
    path = Path(method.reference).expanduser()
    if path.is_absolute():
        return path
    for source in (Path(method.source), Path(method.source.split(" (")[0])):
        if source.is_file():  # a method file given by path (packaged ones carry a label)
            return source.parent / path
    return path


def run_vintage(inputs: TerritoryInputs) -> str | None:
    """Return the Filosofi vintage of the run's provenance (None when not recorded)."""
    vintages = {p.vintage for p in inputs.provenance if p.source_id == "filosofi" and p.vintage}
    return next(iter(vintages)) if len(vintages) == 1 else None


@dataclass(frozen=True)
class RunReference:
    """The reference a run normalises against."""

    kind: str
    file: ReferenceFile | None = None
    vintage: str | None = None
    settings: dict[str, str] | None = None
    cell_groups: IntArray | None = None
    zone_groups: IntArray | None = None

    def with_groups(
        self, inputs: TerritoryInputs, commune_shares: pd.DataFrame, xy: IntArray, zones: Any
    ) -> RunReference:
        """Return this reference with the territory of each cell and zone (``territory``)."""
        if self.kind != "territory":
            return self
        communes = pd.Series(cell_commune(commune_shares, len(xy)))
        return replace(
            self,
            cell_groups=territory_groups(inputs, communes, xy),
            zone_groups=territory_groups(inputs, zones["insee_com"]),
        )

    def worst_distances(self) -> dict[str, float]:
        """Return, with a reference file, its largest walking distance per category.

        Used by ``unreachable: worst``: a cell reaching no place takes the larger of the
        run's and the file's largest distance, as in the joint run the file was built from.
        """
        if self.file is None or self.vintage is None:
            return {}
        return self.file.highs([f"dist_{c}" for c in ACCESS_CATEGORIES], self.vintage)

    def build(
        self,
        ids: Sequence[str],
        values: FloatArray,
        weights: FloatArray,
    ) -> Reference | Grouped:
        """Return the reference of indicators ``ids`` (columns of the run's cell matrices)."""
        if self.file is not None and self.vintage is not None:
            return self.file.reference_for(ids, self.vintage, self.settings)
        overall = Reference.build(values, weights)
        if self.kind != "territory":
            return overall
        cell_groups = self.cell_groups
        if cell_groups is None:
            raise ValueError("reference: territory needs the territory of each cell")
        refs = {
            int(g): Reference.build(values[cell_groups == g], weights[cell_groups == g])
            for g in np.unique(cell_groups)
            if g >= 0
        }
        return Grouped(overall, refs)

    def file_reference(self, ids: Sequence[str]) -> Reference | None:
        """Return the fixed reference of ``ids`` (a reference file), None otherwise."""
        if self.file is None or self.vintage is None:
            return None
        return self.file.reference_for(ids, self.vintage, self.settings)

    def label(self) -> str:
        """Return the French sentence naming the reference."""
        if self.file is not None:
            return (
                f"fichier de référence {self.file.path.name} (millésime {self.vintage}, "
                f"SHA-256 {self.file.sha256[:12]})"
            )
        return REFERENCES[self.kind]

    def record(self) -> dict[str, Any]:
        """Return the ``reference`` entry of ``run.json``."""
        base: dict[str, Any] = {"kind": self.kind}
        if self.file is not None and self.vintage is not None:
            base = self.file.record(self.vintage)
        base["label"] = self.label()
        return base


def territory_groups(
    inputs: TerritoryInputs, communes: pd.Series, xy: IntArray | None = None
) -> IntArray:
    """Return the territory index (order of the run's territories, -1: none) of each row."""
    records = territories_of(inputs)
    index = {r.code: k for k, r in enumerate(records)}
    codes = territory_codes(records, communes, xy)
    return np.asarray([index.get(c, -1) for c in codes], dtype=np.int64)


def prepare(method: Method, inputs: TerritoryInputs, horizon: str) -> RunReference:
    """Return the run's reference; a file is read and checked here (before any work).

    With a file, the run's :func:`~quartiers.diagnostic.reference_file.indicator_settings`
    (method and ``horizon``) are kept: an indicator of the file computed with other
    settings is refused when the index asks for it.
    """
    kind = reference_kind(method.reference)
    if kind != "file":
        return RunReference(kind=kind)
    ref_file = read_reference(reference_path(method))
    return RunReference(
        kind=kind,
        file=ref_file,
        vintage=ref_file.pick_vintage(run_vintage(inputs)),
        settings=indicator_settings(method, horizon),
    )
