"""French wording of the roadmap: an indicator label after its definite article."""

from __future__ import annotations

__all__ = ["with_article"]

_ARTICLES = {
    "part": "la ",
    "distance": "la ",
    "surface": "la ",
    "sensibilité": "la ",
    "indice": "l'",
    "taux": "le ",
    "niveau": "le ",
    "score": "le ",
    "rang": "le ",
    "jours": "les ",
    "nuits": "les ",
    "journées": "les ",
}


def with_article(label: str) -> str:
    """Return a label in lower case after its French definite article (« la part de… »)."""
    if not label:
        return label
    article = _ARTICLES.get(label.split()[0].lower(), "")
    return f"{article}{label[0].lower()}{label[1:]}"
