"""One text-folding function for names, streets, headers and labels typed by people."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quartiers.text import fold


def test_examples() -> None:
    assert (
        fold("Saint-Étienne") == fold("SAINT ETIENNE") == fold("saint_étienne") == "saint etienne"
    )
    assert fold("Salle rafraîchie", sep="_") == "salle_rafraichie"
    assert fold("Idée d'action", sep="") == "ideedaction"
    assert fold("  La Roche-sur-Yon (85) ") == "la roche sur yon 85"
    assert fold("") == "" and fold(12) == "12"


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_case_blind(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert fold(text.upper()) == fold(text.lower()) or not text.isascii()
    assert "  " not in once and once == once.strip()
