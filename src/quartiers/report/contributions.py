"""Residents' published contributions per QPV, read from the participation store.

The participation module (:mod:`quartiers.participation`) is optional here: when it is not
installed, :func:`participation_available` is False and sheets leave the section out. Only
published contributions are read (the store's public methods), never e-mails or moderation
notes; the database is opened without migrating it, so a report never writes to it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from quartiers.errors import InputError, SourceError
from quartiers.outputs.perceived import compare_perceived
from quartiers.report.model import ContributionItem, Contributions

__all__ = ["LATEST", "database_url", "participation_available", "read_contributions"]

logger = logging.getLogger(__name__)

#: Contributions quoted per sheet (the most recent ones).
LATEST = 8
_PAGE = 500


def participation_available() -> bool:
    """Tell whether the contributions store is installed."""
    try:
        return importlib.util.find_spec("quartiers.participation.store") is not None
    except ModuleNotFoundError:  # pragma: no cover - parent package missing
        return False


def database_url(value: str) -> str:
    """Return a database URL from a URL or a path to a SQLite file (which must exist)."""
    if "://" not in value:
        path = Path(value).expanduser()
        if not path.is_file():
            raise InputError(
                f"{value} : base de contributions introuvable (fichier SQLite attendu)"
            )
        return f"sqlite:///{path.resolve()}"
    if value.startswith("sqlite:///"):
        path = Path(value.removeprefix("sqlite:///"))
        if not path.is_file():
            raise InputError(f"{value} : base de contributions introuvable (fichier SQLite absent)")
    return value


def _detail(item: Any) -> str:
    parts = [str(p) for p in (item.age_band_label, item.period_label) if p]
    return ", ".join(parts)


def _summarise(items: list[Any], total: int, cells: pd.DataFrame | None) -> Contributions:
    counts = Counter(str(i.category_label) for i in items)
    latest = sorted(items, key=lambda i: (i.created_on, i.id), reverse=True)[:LATEST]
    return Contributions(
        total=total,
        counts=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        items=[
            ContributionItem(
                category=str(i.category_label),
                text=str(i.text),
                day=i.created_on.strftime("%d/%m/%Y"),
                detail=_detail(i),
            )
            for i in latest
        ],
        hot_spots=_hot_spots(items, cells),
    )


def _hot_spots(items: list[Any], cells: pd.DataFrame | None) -> list[tuple[str, str]]:
    """Compare each perceived hot spot with the measured index of its cell (web does too)."""
    if cells is None:
        return []
    rows = [
        {"id": i.id, "lon": i.lon, "lat": i.lat, "category": str(i.category), "text": i.text}
        for i in items
    ]
    return [(v.text, v.verdict_label) for v in compare_perceived(rows, cells)]


def read_contributions(
    url: str, codes: Sequence[str], *, cells: pd.DataFrame | None = None
) -> dict[str, Contributions]:
    """Return the published contributions of each QPV code (codes without any are absent).

    Parameters
    ----------
    url
        SQLAlchemy URL of the contributions database, or a path to a SQLite file.
    codes
        QPV codes of the diagnostic.
    cells
        The diagnostic's ``cells`` layer: perceived hot spots (« lieu trop chaud ») are then
        compared with the measured index of the cell under them (agreement or not).

    Raises
    ------
    InputError
        The participation module is not installed, the file is missing or the database
        was never initialised.
    SourceError
        The database cannot be reached.
    """
    if not participation_available():
        raise InputError(
            "contributions : le module participation n'est pas installé dans cette version"
        )
    db_mod = importlib.import_module("quartiers.participation.db")
    store_mod = importlib.import_module("quartiers.participation.store")
    db = db_mod.Database(database_url(url), migrate=False)
    try:
        try:
            revision = db.current_revision()
        except Exception as exc:  # driver errors differ between engines
            raise SourceError(f"base de contributions injoignable : {exc}") from exc
        if revision is None:
            raise InputError(
                f"{url} : base de contributions non initialisée (aucune migration appliquée)"
            )
        store = store_mod.ContributionStore(db, {})
        out = {}
        for code in codes:
            items: list[Any] = []
            total = 0
            while True:
                page = store.list_public(code_qp=code, limit=_PAGE, offset=len(items))
                items.extend(page.items)
                total = int(page.total)
                if not page.items or len(items) >= total:
                    break
            if items:
                out[code] = _summarise(items, total, cells)
        logger.info("contributions publiées lues pour %d QPV", len(out))
        return out
    finally:
        db.close()
