"""Typed settings, read from the environment (prefix ``QUARTIERS_``), built by a function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from quartiers.errors import InputError
from quartiers.validation_fr import french_message

__all__ = ["Settings", "get_settings"]


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "quartiers"


class Settings(BaseSettings):
    """Settings of one run.

    Every field can be set by an environment variable ``QUARTIERS_<NAME>``
    (for example ``QUARTIERS_OFFLINE=1``) or a ``.env`` file in the working directory.
    """

    model_config = SettingsConfigDict(
        env_prefix="QUARTIERS_", env_file=".env", extra="ignore", frozen=True
    )

    workspace_dir: Path = Field(
        default_factory=lambda: _default_home() / "workspaces",
        description="Dossier des espaces de travail (un sous-dossier par territoire).",
    )
    cache_dir: Path = Field(
        default_factory=lambda: _default_home() / "cache",
        description="Cache disque des téléchargements, indexé par URL.",
    )
    offline: bool = Field(
        default=False, description="N'utiliser que le cache et les fichiers locaux."
    )
    database_url: str = Field(
        default="sqlite:///contributions.sqlite3",
        description="Base des contributions (SQLite par défaut, PostgreSQL possible).",
    )
    http_timeout_s: float = Field(default=60.0, gt=0, description="Délai réseau (s).")
    http_retries: int = Field(default=4, ge=0, le=20, description="Nouvelles tentatives.")
    scheduler: str = Field(
        default="",
        description=(
            "Adresse tcp://HÔTE:PORT du planificateur d'un cluster Dask existant qui calcule "
            "les parties indépendantes du diagnostic ; vide : calcul dans ce processus."
        ),
    )
    basemap_url: str = Field(
        default="",
        description=(
            "Modèle d'URL de tuiles raster d'un fond de carte en ligne "
            "(https://…/{z}/{x}/{y}.png), ajouté sous les couches du diagnostic ; "
            "vide : aucun fond en ligne (l'application marche hors connexion)."
        ),
    )
    basemap_attribution: str = Field(
        default="", description="Mention des sources du fond de carte en ligne."
    )
    contact_organisation: str = Field(
        default="",
        description=(
            "Organisme producteur des données, cité comme contact dans les métadonnées des "
            "exports (ISO 19139, DCAT-AP)."
        ),
    )
    contact_email: str = Field(
        default="", description="Adresse électronique de contact des métadonnées des exports."
    )
    secret_key: str = Field(
        default="",
        description="Clé de signature des sessions web (générée au démarrage si vide).",
    )

    @field_validator("basemap_url")
    @classmethod
    def _http_basemap(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not value.startswith(("https://", "http://")) or not all(
            part in value for part in ("{z}", "{x}", "{y}")
        ):
            raise ValueError(
                "QUARTIERS_BASEMAP_URL doit être une adresse http(s):// de tuiles "
                "contenant {z}, {x} et {y}, ou vide"
            )
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if value and (value.count("@") != 1 or " " in value or value.endswith("@")):
            raise ValueError("QUARTIERS_CONTACT_EMAIL doit être une adresse électronique")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("QUARTIERS_DATABASE_URL doit commencer par 'sqlite' ou 'postgresql'")
        return value


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides taking precedence.

    Raises
    ------
    InputError
        One French line naming each invalid variable (or option, for an override), what
        was expected and the value received; never pydantic's English report.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = [_setting_problem(err, overrides) for err in exc.errors()]
        raise InputError("réglage invalide : " + " ; ".join(parts)) from None


def _setting_problem(error: Any, overrides: dict[str, object]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "?"
    who = (
        f"--{field.replace('_', '-')}"
        if field in overrides
        else f"QUARTIERS_{field.upper()} (variable d'environnement ou fichier .env)"
    )
    message = french_message(error).removeprefix(f"QUARTIERS_{field.upper()} ")
    received = error.get("input")
    shown = f" (valeur reçue : {received!r})" if isinstance(received, str | int | float) else ""
    return f"{who} : {message}{shown}"
