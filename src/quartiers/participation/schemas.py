"""Pydantic schemas: what comes in (Create, Update) and what goes out (Public, Moderation).

No outgoing schema has an e-mail field: the follow-up address is write-only. Validation
messages are French; they reach users as 422 responses or import errors.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from quartiers.participation import validation as v
from quartiers.participation.vocab import (
    AGE_BAND_LABELS,
    CATEGORY_LABELS,
    PERIOD_LABELS,
    STATUS_LABELS,
    AgeBand,
    Category,
    Period,
    Status,
)

__all__ = [
    "AuditEntryPublic",
    "ContributionCreate",
    "ContributionModeration",
    "ContributionPublic",
    "ContributionReceipt",
    "ContributionUpdate",
    "Feature",
    "FeatureCollection",
    "LoginRequest",
    "ModerationDecision",
    "ModerationEventPublic",
    "Page",
    "PointGeometry",
    "Vocabulary",
    "VocabularyEntry",
]

T = TypeVar("T")

# Coarse caps before cleaning (the real limits are checked by the validators, in characters).
_RAW_TEXT_MAX = v.TEXT_MAX * 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=_RAW_TEXT_MAX)


class ContributionCreate(_Strict):
    """A new contribution, from the map form, the JSON API or a workshop sheet.

    Give a point (``lon`` and ``lat``, WGS84 degrees) or only a ``code_qp``: the note is then
    placed at the QPV's representative point (``located_by = "qpv"``).
    """

    territory: str = Field(description="Code du territoire (commune INSEE, SIREN d'EPCI…).")
    code_qp: str | None = Field(default=None, description="Code du QPV concerné, facultatif.")
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    category: Category
    text: str = Field(description=f"Texte libre, {v.TEXT_MIN} à {v.TEXT_MAX} caractères.")
    age_band: AgeBand | None = None
    period: Period | None = None
    email: str | None = Field(
        default=None,
        description="E-mail pour être recontacté·e ; jamais publié ni exporté.",
    )

    @field_validator("territory")
    @classmethod
    def _territory(cls, value: str) -> str:
        return v.validate_territory_code(value)

    @field_validator("code_qp")
    @classmethod
    def _code_qp(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else v.validate_code_qp(value)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return v.clean_text(value, label="texte")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else v.validate_email(value)

    @model_validator(mode="after")
    def _located(self) -> Self:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("coordonnées : longitude et latitude vont ensemble")
        if self.lon is None and self.code_qp is None:
            raise ValueError("localisation : un point (lon, lat) ou un code_qp est nécessaire")
        return self


class ContributionUpdate(_Strict):
    """A moderator's correction (category, text or QPV); previous values go to the history."""

    category: Category | None = None
    text: str | None = None
    code_qp: str | None = None
    note: str | None = Field(default=None, description="Motif de la correction.")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else v.clean_text(value, label="texte")

    @field_validator("code_qp")
    @classmethod
    def _code_qp(cls, value: str | None) -> str | None:
        return None if value is None else v.validate_code_qp(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return v.clean_text(value, label="motif", min_len=1, max_len=v.NOTE_MAX)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.category is None and self.text is None and self.code_qp is None:
            raise ValueError("correction : au moins un champ parmi category, text, code_qp")
        return self


class ContributionReceipt(BaseModel):
    """What the contributor gets back: the contribution waits for moderation."""

    id: int
    status: Status
    territory: str
    code_qp: str | None
    lon: float
    lat: float
    located_by: Literal["point", "qpv"]
    message: str = "Merci ! Votre contribution sera publiée après relecture par un modérateur."


class ModerationDecision(_Strict):
    """Optional note attached to a publication or a rejection."""

    note: str | None = Field(default=None, description="Motif (visible des modérateurs seuls).")

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return v.clean_text(value, label="motif", min_len=1, max_len=v.NOTE_MAX)


class ContributionPublic(BaseModel):
    """A published contribution as anyone may read it (no e-mail, day of creation only)."""

    id: int
    territory: str
    code_qp: str | None
    lon: float
    lat: float
    located_by: Literal["point", "qpv"] = Field(
        description="« point » : lieu indiqué ; « qpv » : placé au point représentatif du QPV."
    )
    category: Category
    category_label: str
    text: str
    age_band: AgeBand | None
    age_band_label: str | None
    period: Period | None
    period_label: str | None
    created_on: date

    @classmethod
    def from_row(cls, row: Any) -> ContributionPublic:
        """Build from a :class:`~quartiers.participation.models.Contribution` row."""
        return cls(**_public_fields(row))


def _public_fields(row: Any) -> dict[str, Any]:
    category = Category(row.category)
    age = AgeBand(row.age_band) if row.age_band else None
    period = Period(row.period) if row.period else None
    return {
        "id": row.id,
        "territory": row.territory,
        "code_qp": row.code_qp,
        "lon": row.lon,
        "lat": row.lat,
        "located_by": row.located_by,
        "category": category,
        "category_label": CATEGORY_LABELS[category],
        "text": row.text,
        "age_band": age,
        "age_band_label": AGE_BAND_LABELS[age] if age else None,
        "period": period,
        "period_label": PERIOD_LABELS[period] if period else None,
        "created_on": row.created_at.date(),
    }


class ModerationEventPublic(BaseModel):
    """One step of the moderation history, as moderators see it."""

    at: datetime
    actor: str
    action: str
    from_status: Status
    to_status: Status
    note: str | None
    details: dict[str, Any] | None


class ContributionModeration(ContributionPublic):
    """A contribution as its territory's moderators see it: status, source and history."""

    status: Status
    status_label: str
    source: str
    created_at: datetime
    has_contact: bool = Field(description="Un e-mail de suivi a été laissé (jamais affiché).")
    history: list[ModerationEventPublic]

    @classmethod
    def from_rows(cls, row: Any, *, has_contact: bool, events: list[Any]) -> ContributionModeration:
        """Build from a contribution row, its contact flag and its history rows."""
        status = Status(row.status)
        return cls(
            **_public_fields(row),
            status=status,
            status_label=STATUS_LABELS[status],
            source=row.source,
            created_at=row.created_at,
            has_contact=has_contact,
            history=[ModerationEventPublic.model_validate(e, from_attributes=True) for e in events],
        )


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, ``total`` matching in all."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PointGeometry(BaseModel):
    """GeoJSON point in WGS84 lon/lat degrees."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]


class Feature(BaseModel):
    """GeoJSON feature of a published contribution."""

    type: Literal["Feature"] = "Feature"
    id: int
    geometry: PointGeometry
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """GeoJSON feature collection (RFC 7946, WGS84)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


class VocabularyEntry(BaseModel):
    """A stable id and its French label."""

    id: str
    label: str


class Vocabulary(BaseModel):
    """Every closed list of the contribution form, for the web front end."""

    categories: list[VocabularyEntry]
    age_bands: list[VocabularyEntry]
    periods: list[VocabularyEntry]
    text_min: int = v.TEXT_MIN
    text_max: int = v.TEXT_MAX


class LoginRequest(_Strict):
    """Moderator credentials for the JSON login."""

    login: str = Field(max_length=v.LOGIN_MAX)
    password: str = Field(max_length=v.PASSWORD_MAX)


class AuditEntryPublic(BaseModel):
    """One line of the audit log, for territory administrators."""

    id: int
    at: datetime
    actor: str
    action: str
    territory: str | None
    target: str | None
    client: str | None
    details: dict[str, Any] | None
