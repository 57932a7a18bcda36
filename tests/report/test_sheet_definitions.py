"""Plain French in the HTML sheets (issue 18, point 2): technical words have a folded
definition (``<details>``, the /glossaire words) beside them; the PDF hides them (print)."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path

from quartiers.outputs.glossary import term

WORDS = (
    "Statut",
    "Reste de la commune",
    "Point d'écart (pt)",
    "Indice de vulnérabilité",
    "Intervalle de rang",
    "Quintile",
    "Monte Carlo",
    "Indice de Sobol",
)


def test_html_sheet_folds_a_definition_beside_each_term(demo_docs: Path) -> None:
    html = unescape((demo_docs / "fiche_QN00001A.html").read_text(encoding="utf-8"))
    for word in WORDS:
        folded = (
            f'<details class="definition"><summary>{word} : définition</summary>'
            f"<p>{term(word).definition}</p></details>"
        )
        assert folded in html, word
    assert "@media print { details.definition { display: none; } }" in html


def test_pdf_sheet_does_not_print_them(demo_docs: Path, pdf_text: Callable[[Path], str]) -> None:
    text = pdf_text(demo_docs / "fiche_QN00001A.pdf")
    assert " : définition" not in text
    assert "Les mots de cette fiche" in text  # the PDF defines its words on page 1


def _folded(word: str) -> str:
    return (
        f'<details class="definition"><summary>{word} : définition</summary>'
        f"<p>{term(word).definition}</p></details>"
    )


def test_html_synthesis_folds_its_terms(demo_docs: Path) -> None:
    html = unescape((demo_docs / "synthese_200000001.html").read_text(encoding="utf-8"))
    for word in ("Rang", "Indice de vulnérabilité", "Reste de la commune", "Horizon climatique"):
        assert _folded(word) in html, word
    assert "@media print { details.definition { display: none; } }" in html


def test_pdf_synthesis_does_not_print_them(
    demo_docs: Path, pdf_text: Callable[[Path], str]
) -> None:
    assert " : définition" not in pdf_text(demo_docs / "synthese_200000001.pdf")
