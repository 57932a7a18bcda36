"""Request parameters shared by the JSON routes: bounded ids, pages, filters; the 429 error.

Bounds keep every value inside what both databases accept (32-bit ids, sane offsets), so that
no generated input reaches the database as an overflow.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Query

from quartiers.participation.moderation import MAX_PAGE
from quartiers.participation.ratelimit import RateLimiter

__all__ = [
    "BBoxQuery",
    "CodeQpQuery",
    "ContributionId",
    "Limit",
    "Offset",
    "TerritoryQuery",
    "too_many",
]

ContributionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Identifiant.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
TerritoryQuery = Annotated[str | None, Query(max_length=20, description="Code du territoire.")]
CodeQpQuery = Annotated[
    str | None, Query(max_length=40, description="Code du QPV (ou identifiant de la zone).")
]
BBoxQuery = Annotated[
    str | None,
    Query(max_length=120, description="Emprise « min_lon,min_lat,max_lon,max_lat » (WGS84)."),
]


def too_many(wait_s: float, what: str) -> HTTPException:
    """Return a 429 error saying when to come back (``Retry-After`` in seconds)."""
    seconds = RateLimiter.retry_after(wait_s)
    return HTTPException(
        status_code=429,
        detail=f"{what} : réessayez dans {seconds} s",
        headers={"Retry-After": str(seconds)},
    )
