"""``json.dumps(..., indent=2)`` written faster, to the same bytes (``run.json``).

Python's C JSON encoder is not used when ``indent`` is set: the pure-Python one then
encodes every value, about 3 s for the climate table of a national ``run.json`` (6,000
communes × horizons × indicators). A flat object or array — only text, numbers, booleans
and nulls inside — has a fixed layout: one item per line at its depth. It is encoded here
by the C encoder with that line break as item separator; deeper structures are laid out
item by item as ``json`` does. Same text as ``json.dumps(obj, ensure_ascii=False,
indent=2, allow_nan=False)`` (checked by the tests).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps_indented", "indented_members", "indented_object"]

_SCALARS = (str, int, float, bool, type(None))
_STEP = "  "


def dumps_indented(obj: Any) -> str:
    """Return ``json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)``."""
    return _encode(obj, 0)


def indented_members(obj: dict[str, Any]) -> list[str]:
    """Return the members of a top-level object laid out as :func:`dumps_indented` does.

    Joined by :func:`indented_object`, with members encoded later appended (the
    ``outputs`` of ``run.json``, known once the files are written), they give the text of
    the whole object.
    """
    return [f"{_compact(k, ',')}: {_encode(v, 1)}" for k, v in obj.items()]


def indented_object(members: list[str]) -> str:
    """Return :func:`dumps_indented` of a non-empty object from its :func:`indented_members`."""
    return _flat("{", "}", ("," + "\n" + _STEP).join(members), 0)


def _flat(text_open: str, text_close: str, body: str, level: int) -> str:
    inner = "\n" + _STEP * (level + 1)
    return text_open + inner + body + "\n" + _STEP * level + text_close


def _encode(obj: Any, level: int) -> str:
    kind = type(obj)
    if kind is dict and obj:
        inner = "\n" + _STEP * (level + 1)
        if all(type(k) is str for k in obj):
            if all(type(v) in _SCALARS for v in obj.values()):
                body = _compact(obj, "," + inner)
                return _flat("{", "}", body[1:-1], level)
            items = [f"{_compact(k, ',')}: {_encode(v, level + 1)}" for k, v in obj.items()]
            return _flat("{", "}", ("," + inner).join(items), level)
    elif kind is list and obj:
        inner = "\n" + _STEP * (level + 1)
        if all(type(v) in _SCALARS for v in obj):
            return _flat("[", "]", _compact(obj, "," + inner)[1:-1], level)
        return _flat("[", "]", ("," + inner).join(_encode(v, level + 1) for v in obj), level)
    # Anything else (a leaf, an empty container, other key or container types): json's
    # own layout, shifted to this depth (JSON text holds no raw line break).
    text = json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)
    return text.replace("\n", "\n" + _STEP * level) if level else text


def _compact(obj: Any, item_separator: str) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(item_separator, ": "))
