"""Closed vocabularies of a contribution: stable English ids, French labels shown to users."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AGE_BAND_LABELS",
    "CATEGORY_LABELS",
    "PERIOD_LABELS",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "AgeBand",
    "Category",
    "Period",
    "Role",
    "Status",
]


class Category(StrEnum):
    """What a resident tells about a place (id stored in the database, never renamed)."""

    TROP_CHAUD = "trop_chaud"
    FRAIS = "frais"
    BESOIN = "besoin"
    RESSOURCE = "ressource"
    IDEE = "idee"


class Status(StrEnum):
    """Moderation status; only ``published`` contributions are ever public."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class AgeBand(StrEnum):
    """Optional age band given by the contributor (no birth date is ever asked)."""

    MOINS_18 = "moins_18"
    A18_29 = "18_29"
    A30_44 = "30_44"
    A45_64 = "45_64"
    A65_79 = "65_79"
    PLUS_80 = "80_plus"


class Period(StrEnum):
    """Optional period of the day the remark is about."""

    MATIN = "matin"
    APRES_MIDI = "apres_midi"
    SOIR = "soir"
    NUIT = "nuit"
    JOURNEE = "journee"


class Role(StrEnum):
    """Role of a moderator on one territory; ``admin`` also reads the audit log."""

    MODERATOR = "moderator"
    ADMIN = "admin"


CATEGORY_LABELS: dict[Category, str] = {
    Category.TROP_CHAUD: "Lieu trop chaud",
    Category.FRAIS: "Lieu frais",
    Category.BESOIN: "Besoin",
    Category.RESSOURCE: "Ressource",
    Category.IDEE: "Idée d'action",
}

STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "En attente",
    Status.PUBLISHED: "Publiée",
    Status.REJECTED: "Rejetée",
}

AGE_BAND_LABELS: dict[AgeBand, str] = {
    AgeBand.MOINS_18: "Moins de 18 ans",
    AgeBand.A18_29: "18 à 29 ans",
    AgeBand.A30_44: "30 à 44 ans",
    AgeBand.A45_64: "45 à 64 ans",
    AgeBand.A65_79: "65 à 79 ans",
    AgeBand.PLUS_80: "80 ans et plus",
}

PERIOD_LABELS: dict[Period, str] = {
    Period.MATIN: "Matin",
    Period.APRES_MIDI: "Après-midi",
    Period.SOIR: "Soir",
    Period.NUIT: "Nuit",
    Period.JOURNEE: "Toute la journée",
}

ROLE_LABELS: dict[Role, str] = {
    Role.MODERATOR: "Modération",
    Role.ADMIN: "Administration",
}
