"""``quartiers export --pcaet``: the PCAET chapter on the priority neighbourhoods (DOCX + CSV).

Kept apart from :mod:`quartiers.commands.report` (which declares the option); the actions
layer is imported inside the function so that ``quartiers --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

from quartiers.atomic import check_output_dir, output_dir
from quartiers.cli import console
from quartiers.errors import InputError

__all__ = ["export_pcaet"]


def export_pcaet(directory: Path, out: Path, *, force: bool) -> list[Path]:
    """Write the PCAET chapter of the diagnostic in ``directory`` into the folder ``out``.

    Raises
    ------
    InputError
        Missing diagnostic, or an output folder that is the diagnostic or is not empty
        (without ``force``).
    """
    from quartiers.actions.pcaet_csv import write_pcaet
    from quartiers.diagnostic import Diagnostic

    if not directory.is_dir():
        raise InputError(f"{directory} : dossier de diagnostic introuvable")
    if out.resolve() == directory.resolve():
        raise InputError(f"{out} : choisissez un dossier d'export distinct du diagnostic")
    check_output_dir(out, force=force, protect=[directory])
    diag = Diagnostic.load(directory)
    with output_dir(out, force=force, protect=[directory]) as tmp:
        built = write_pcaet(diag, tmp)
    paths = sorted(out / path.relative_to(tmp) for path in built.values())
    console.print(f"Chapitre PCAET écrit dans {out} :", highlight=False, soft_wrap=True)
    for path in paths:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
    return paths
