"""The audit log page (administrators of a territory only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from quartiers.participation import audit
from quartiers.participation.deps import Auth, Store
from quartiers.participation.pages.render import (
    ACTIONS,
    error_page,
    page_number,
    redirect,
    render,
    route_path,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
"""``/moderation/journal`` (GET)."""

_PER_PAGE = 100


@router.get("/moderation/journal", name="moderation_journal", include_in_schema=False)
def journal(request: Request, store: Store, auth: Auth, page: str = "1") -> Response:
    """Show one page of the audit log of the territories the moderator administers."""
    current = auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    identity = current[0]
    if not identity.is_admin():
        return error_page(
            request,
            403,
            "Accès réservé",
            "Le journal d'audit est réservé aux administrateurs.",
            current=current,
            auth=auth,
        )
    number = page_number(page)
    with store.db.reading() as session:
        entries, total = audit.list_entries(
            session,
            territories=identity.admin_scope(),
            limit=_PER_PAGE,
            offset=(number - 1) * _PER_PAGE,
        )
    base = route_path(request, "moderation_journal")
    return render(
        request,
        "journal.html",
        current=current,
        auth=auth,
        title="Journal d'audit",
        entries=entries,
        total=total,
        page=number,
        actions=ACTIONS,
        previous_url=f"{base}?page={number - 1}" if number > 1 else None,
        next_url=f"{base}?page={number + 1}" if number * _PER_PAGE < total else None,
    )
