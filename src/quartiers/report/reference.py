"""What a diagnostic says of its normalisation reference (sheets, web, ``compare``).

Reads the ``reference`` entry of the :class:`~quartiers.diagnostic.RunRecord` (absent from
diagnostics written before the method key existed: those were normalised against every cell
of their run, the record's default).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quartiers.diagnostic.record import ReferenceRecord, RunRecord
from quartiers.errors import InputError
from quartiers.method.reference import REFERENCES

__all__ = ["check_same_reference", "reference_key", "reference_sentence", "shared_reference"]


Run = RunRecord


def _entry(run: Run) -> ReferenceRecord:
    return run.reference


def reference_sentence(run: Run) -> str:
    """Return the French sentence saying against what the indicators were normalised."""
    entry = _entry(run)
    kind = entry.kind or "run"
    if kind == "file":
        return (
            "Indicateurs normalisés (rang centile, min–max, z-score) dans la distribution "
            "pondérée (habitants ou ménages) des carreaux d'un fichier de référence : "
            f"{Path(entry.path or '').name}, millésime {entry.vintage or '?'}, "
            f"SHA-256 {(entry.sha256 or '')[:12]} — échelle commune à tous les "
            "diagnostics faits sur cette référence."
        )
    label = REFERENCES.get(kind, REFERENCES["run"])
    return (
        "Indicateurs normalisés (rang centile, min–max, z-score) dans la distribution "
        f"pondérée (habitants ou ménages) des carreaux de référence « {kind} » : {label} ; "
        "l'échelle est propre à ce diagnostic."
    )


def reference_key(run: Run) -> str | None:
    """Return the fingerprint of a shared reference (a file), None for a run's own scale."""
    entry = _entry(run)
    if entry.kind == "file":
        return entry.sha256 or ""
    return None


def shared_reference(runs: Sequence[Run]) -> str | None:
    """Return the fingerprint shared by every run's reference file, or None."""
    keys = {reference_key(r) for r in runs}
    if len(keys) == 1:
        return next(iter(keys))
    return None


def check_same_reference(runs: Sequence[Run], names: Sequence[str]) -> None:
    """Refuse diagnostics made on different references when one of them is a file.

    Diagnostics each on their own cells (``run``, ``territory``) are not ranked across
    territories (the comparison says so); diagnostics on one reference file are on one
    scale. A mix, or two different files, would set side by side numbers on different
    scales: refused with a French :class:`InputError` naming each directory's reference.
    """
    keys = [reference_key(r) for r in runs]
    if all(k is None for k in keys) or len(set(keys)) == 1:
        return
    detail = " ; ".join(f"{name} : {_short(run)}" for name, run in zip(names, runs, strict=True))
    raise InputError(
        "compare : diagnostics calculés sur des références de normalisation différentes, "
        f"leurs indices ne sont pas sur une même échelle ({detail}) — refaites-les avec la "
        "même clé « reference » dans le fichier de méthode"
    )


def _short(run: Run) -> str:
    entry = _entry(run)
    if entry.kind == "file":
        return f"fichier {Path(entry.path or '').name} (SHA-256 {(entry.sha256 or '')[:12]})"
    return f"« {entry.kind} » ({REFERENCES.get(entry.kind, '')})"
