"""One way to compare names, streets, column headers and labels typed by people.

:func:`fold` is the only text-folding function of the package: name matching (communes,
EPCI, BD TOPO layers), the city's places CSV, the workshop import and addresses all use it,
so « Saint-Étienne », « SAINT ETIENNE » and « saint_étienne » compare equal everywhere.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

_WORD = re.compile(r"[^\W_]+")


def fold(text: object, *, sep: str = " ") -> str:
    """Return ``text`` in lower case, without accents, its words joined by ``sep``.

    A word is a run of letters and digits: spaces, hyphens, apostrophes, underscores and
    other punctuation all separate words. ``fold("Salle rafraîchie", sep="_")`` gives
    ``"salle_rafraichie"``; ``fold("Idée d'action", sep="")`` gives ``"ideedaction"``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return sep.join(_WORD.findall(bare))
