"""The roadmap of a zone of a ``--zones`` diagnostic: its texts speak of the zone, not a QPV.

The roadmap is built the same way for a zone as for a QPV (issue 21); only its words change:
the unit's name on the cover (« Zone étudiée »), the rank (« 1 sur 3 zones classées »), the
monitoring indicators (« … de la zone »), the objectives and the notes.
"""

from __future__ import annotations

from dataclasses import replace

from quartiers.actions.roadmap_model import Roadmap
from quartiers.text import zone_words

__all__ = ["for_zone"]


def for_zone(roadmap: Roadmap) -> Roadmap:
    """Return ``roadmap`` reworded for a zone of a ``--zones`` diagnostic."""
    return replace(
        roadmap,
        unit_label="Zone étudiée",
        unit_short="Zone",
        unit_of="de la zone",
        rank_text=zone_words(roadmap.rank_text),
        objectives=[zone_words(o) for o in roadmap.objectives],
        indicators=[replace(i, label=zone_words(i.label)) for i in roadmap.indicators],
        notes=[zone_words(n) for n in roadmap.notes],
    )
