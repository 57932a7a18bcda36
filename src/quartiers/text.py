"""One way to compare names, streets, column headers and labels typed by people; zone words.

:func:`fold` is the only text-folding function of the package: name matching (communes,
EPCI, BD TOPO layers), the city's places CSV, the workshop import and addresses all use it,
so « Saint-Étienne », « SAINT ETIENNE » and « saint_étienne » compare equal everywhere.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "zone_words"]

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


_QPV_WORDS = (
    (re.compile(r"\b([Ll])e QPV (concerné|sélectionné)\b"), r"\1a zone \2e"),
    (re.compile(r"\b([Uu])n QPV (concerné|sélectionné)\b"), r"\1ne zone \2e"),
    (re.compile(r"\b([Cc])e QPV (concerné|sélectionné)\b"), r"\1ette zone \2e"),
    (re.compile(r"(^|>)QPV (concerné|sélectionné)\b"), r"\1Zone \2e"),
    (re.compile(r"\bQPV (concerné|sélectionné)\b"), r"zone \1e"),
    (re.compile(r"\ble QPV le plus\b"), "la zone la plus"),
    (re.compile(r"\ble QPV comparé\b"), "la zone comparée"),
    (re.compile(r"\bLe QPV est entouré\b"), "La zone est entourée"),
    (re.compile(r"\bhors de tout QPV\b"), "hors de toute zone"),
    (re.compile(r"\bhors QPV\b"), "hors zones"),
    (re.compile(r"\bdu QPV\b"), "de la zone"),
    (re.compile(r"\bau QPV\b"), "à la zone"),
    (re.compile(r"\bsur le QPV\b"), "sur la zone"),
    (re.compile(r"\bdans le QPV\b"), "dans la zone"),
    (re.compile(r"\ble QPV\b"), "la zone"),
    (re.compile(r"\bLe QPV\b"), "La zone"),
    (re.compile(r"\bun QPV\b"), "une zone"),
    (re.compile(r"\bdes QPV\b"), "des zones"),
    (re.compile(r"\bles QPV\b"), "les zones"),
    (re.compile(r"\bautres QPV\b"), "autres zones"),
    (re.compile(r"\bQPV classés\b"), "zones classées"),
    (re.compile(r"\bQPV publiés\b"), "zones publiées"),
    (re.compile(r"\bLes QPV\b"), "Les zones"),
    (re.compile(r"\baux QPV\b"), "aux zones"),
    (re.compile(r"\bde QPV\b"), "de zones"),
    (re.compile(r"\b([Cc])es QPV\b"), r"\1es zones"),
    (re.compile(r"\b([Cc])e QPV\b"), r"\1ette zone"),
    (re.compile(r"\bUn QPV\b"), "Une zone"),
    (re.compile(r"(?<!\d[\u00a0\u202f ])(?<![\d,])1 QPV\b"), "1 zone"),
    (re.compile(r"(\d) QPV\b"), r"\1 zones"),
    (re.compile(r"(^|>)QPV\b"), r"\1Zone"),
    (re.compile(r"\bQPV\b"), "zone"),
)


def zone_words(text: str) -> str:
    """Return a French text about QPV reworded for the zones of a ``--zones`` diagnostic.

    ``zone_words("Part de canopée du QPV")`` gives ``"Part de canopée de la zone"``;
    ``zone_words("Ville hors QPV")`` gives ``"Ville hors zones"``.
    """
    for pattern, words in _QPV_WORDS:
        text = pattern.sub(words, text)
    return text
