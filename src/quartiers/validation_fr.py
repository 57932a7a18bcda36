"""French messages for pydantic / FastAPI validation errors (shared by every HTTP router)."""

from __future__ import annotations

from typing import Any

__all__ = ["french_message", "french_validation_errors"]

_MESSAGES: dict[str, str] = {
    "missing": "paramètre obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet JSON attendu",
    "model_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "string_type": "texte attendu",
    "string_unicode": "texte UTF-8 attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "finite_number": "nombre fini attendu",
    "bool_parsing": "booléen attendu (true ou false)",
    "list_type": "liste attendue",
}


def _french(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "valeur invalide")))
    if kind in ("greater_than_equal", "greater_than"):
        sign = "≥" if kind.endswith("equal") else ">"
        return f"valeur {sign} {ctx.get('ge', ctx.get('gt'))} attendue"
    if kind in ("less_than_equal", "less_than"):
        sign = "≤" if kind.endswith("equal") else "<"
        return f"valeur {sign} {ctx.get('le', ctx.get('lt'))} attendue"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "?")).replace(" or ", " ou ")
        return f"valeur attendue parmi {expected}"
    if kind == "string_too_long":
        return f"{ctx.get('max_length')} caractères au plus"
    if kind == "string_too_short":
        return f"au moins {ctx.get('min_length')} caractères"
    if kind == "string_pattern_mismatch":
        return f"format attendu : {ctx.get('pattern')}"
    return _MESSAGES.get(kind, "valeur invalide")


def french_message(error: Any) -> str:
    """Return the French message of one pydantic error (a dict of ``ValidationError.errors()``)."""
    return _french(error)


def french_validation_errors(errors: Any) -> list[dict[str, Any]]:
    """Turn pydantic/FastAPI validation errors into ``{loc, msg, type}`` with French messages."""
    return [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": _french(e), "type": e.get("type")}
        for e in errors
    ]
