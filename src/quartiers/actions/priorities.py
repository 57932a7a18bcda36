"""The residents' priorities (workshop dot-voting) as the roadmap prints them.

:func:`roadmap_priorities` turns the added-up votes of a QPV
(:func:`quartiers.participation.priorities.qpv_priorities`) into the rows of the roadmap's
« Priorités exprimées en atelier »: each action's points, its share of the points and
whether the roadmap keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from quartiers.actions.roadmap_model import Priorities, PriorityRow
from quartiers.outputs.formatting import format_share

if TYPE_CHECKING:  # the database layer is not needed to print a roadmap
    from quartiers.participation.priorities import SessionResults

__all__ = ["roadmap_priorities"]


def roadmap_priorities(results: SessionResults | None, chosen: Iterable[str]) -> Priorities | None:
    """Return the roadmap's priorities section, None when nobody voted.

    Parameters
    ----------
    results
        The QPV's votes added up over its sessions (None: no vote).
    chosen
        Ids of the actions the roadmap keeps.
    """
    if results is None or results.participants == 0:
        return None
    kept = set(chosen)
    total = results.points_cast
    rows = tuple(
        PriorityRow(
            label=r.label,
            points=r.points,
            share_text=format_share(r.points / total if total else 0.0),
            voters=r.voters,
            in_roadmap=r.id in kept,
        )
        for r in results.options
    )
    return Priorities(
        participants=results.participants,
        sessions=results.sessions,
        points=total,
        rows=rows,
    )
