"""Which reference distribution a run normalises against (orchestrator; method ``reference``).

:func:`prepare` reads the method's choice once (and the reference file, if any, checked
against the run's Filosofi vintage); :meth:`RunReference.build` then gives the
:class:`~quartiers.method.normalise.Reference` of the indicators of the index, and
:meth:`RunReference.record` what ``run.json`` says of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from quartiers.method.normalise import Reference
from quartiers.method.reference import REFERENCES, reference_kind
from quartiers.method.spec import Method
from quartiers.reference_file import ReferenceFile, read_reference
from quartiers.schemas import TerritoryInputs

__all__ = ["RunReference", "prepare", "reference_path", "run_vintage"]

FloatArray = NDArray[np.float64]


def reference_path(method: Method) -> Path:
    """Return the reference file of a method (relative paths: from the method file's folder)."""
    path = Path(method.reference).expanduser()
    if path.is_absolute():
        return path
    source = Path(method.source.split(" (")[0])
    if source.is_file():
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

    def build(self, ids: Sequence[str], values: FloatArray, weights: FloatArray) -> Reference:
        """Return the reference of indicators ``ids`` (columns of the run's cell matrices)."""
        if self.file is not None and self.vintage is not None:
            return self.file.reference_for(ids, self.vintage)
        return Reference.build(values, weights)

    @property
    def fixed(self) -> bool:
        """Return True when the reference does not depend on the run's cells."""
        return self.file is not None

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


def prepare(method: Method, inputs: TerritoryInputs) -> RunReference:
    """Return the run's reference; a file is read and checked here (before any work)."""
    kind = reference_kind(method.reference)
    if kind != "file":
        return RunReference(kind=kind)
    ref_file = read_reference(reference_path(method))
    return RunReference(
        kind=kind, file=ref_file, vintage=ref_file.pick_vintage(run_vintage(inputs))
    )
