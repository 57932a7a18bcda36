"""Pure validation of what a contributor or a moderator types; every error message is French.

Each function returns the cleaned value or raises :class:`ValueError` with a message fit for a
user (pydantic turns it into a 422; the workshop import into an :class:`InputError` line).
"""

from __future__ import annotations

import math
import re
import unicodedata

from quartiers.participation.territories import Territory

__all__ = [
    "EMAIL_MAX",
    "LOGIN_MAX",
    "NOTE_MAX",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "TEXT_MAX",
    "TEXT_MIN",
    "check_in_territory",
    "clean_text",
    "validate_code_qp",
    "validate_coordinates",
    "validate_email",
    "validate_login",
    "validate_password",
    "validate_territory_code",
]

TEXT_MIN = 3
TEXT_MAX = 1000
NOTE_MAX = 500
EMAIL_MAX = 254
LOGIN_MAX = 64
PASSWORD_MIN = 12
PASSWORD_MAX = 256

_TERRITORY_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,19}")
_CODE_QP_RE = re.compile(r"Q[A-Z0-9]{5,10}")
#: Id of a zone of a ``--zones`` diagnostic (as ``quartiers.sources.zones`` accepts it).
_ZONE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
_LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,63}")
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")
_EMAIL_DOMAIN_RE = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _forbidden_char(value: str) -> str | None:
    """Return the first character a stored text must not hold (controls, lone surrogates)."""
    for char in value:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in "\n\t") or category == "Cs":
            return char
    return None


def clean_text(value: str, *, label: str, min_len: int = TEXT_MIN, max_len: int = TEXT_MAX) -> str:
    """Normalise a free text (NFC, trimmed, ``\\n`` line ends) and check its length in characters.

    Control characters other than newline and tab, and lone surrogates, are refused: they
    cannot be stored in every database and have no place in a resident's remark.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    bad = _forbidden_char(text)
    if bad is not None:
        raise ValueError(f"{label} : caractère non autorisé (code U+{ord(bad):04X})")
    if len(text) < min_len:
        raise ValueError(f"{label} : au moins {min_len} caractères attendus")
    if len(text) > max_len:
        raise ValueError(f"{label} : {max_len} caractères au plus (reçu : {len(text)})")
    return text


def validate_coordinates(lon: float, lat: float) -> tuple[float, float]:
    """Check a WGS84 point (degrees) and round it to 7 decimals (≈ 1 cm)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("coordonnées : nombres finis attendus")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude : valeur entre -180 et 180 attendue (reçu : {lon})")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude : valeur entre -90 et 90 attendue (reçu : {lat})")
    return round(float(lon), 7), round(float(lat), 7)


def check_in_territory(territory: Territory, lon: float, lat: float) -> None:
    """Raise when the point is outside the territory's perimeter."""
    if not territory.contains(lon, lat):
        raise ValueError(
            f"coordonnées : le point ({lon:.5f}, {lat:.5f}) est en dehors du territoire "
            f"{territory.code}"
        )


def validate_territory_code(value: str) -> str:
    """Check a territory code (INSEE commune code, EPCI SIREN…): letters, digits, ``_`` or ``-``."""
    code = value.strip()
    if not _TERRITORY_RE.fullmatch(code):
        raise ValueError(
            "territoire : code attendu (lettres, chiffres, « _ » ou « - », 20 caractères au plus)"
        )
    return code


def validate_code_qp(value: str) -> str:
    """Check a QPV code such as ``QN08503I``, or the id of a zone of a ``--zones`` diagnostic.

    A QPV code is upper-cased (``qn08503i`` is ``QN08503I``); a zone id (up to 40 letters,
    digits, « _ » or « - ») is kept as written, since the zones file may use any case.
    Whether the code belongs to the territory is checked against the diagnostic's units.
    """
    code = value.strip()
    if _CODE_QP_RE.fullmatch(code.upper()):
        return code.upper()
    if not _ZONE_ID_RE.fullmatch(code):
        raise ValueError(
            "code_qp : code de QPV (par exemple QN08503I) ou identifiant de zone attendu "
            "(lettres, chiffres, « _ » ou « - », 40 caractères au plus)"
        )
    return code


def validate_email(value: str) -> str:
    """Check an e-mail address for follow-up (syntax only, domain lower-cased)."""
    email = value.strip()
    if len(email) > EMAIL_MAX or email.count("@") != 1:
        raise ValueError("e-mail : adresse de la forme nom@domaine.fr attendue")
    local, domain = email.split("@")
    if not _EMAIL_LOCAL_RE.fullmatch(local) or not _EMAIL_DOMAIN_RE.fullmatch(domain):
        raise ValueError("e-mail : adresse de la forme nom@domaine.fr attendue")
    return f"{local}@{domain.lower()}"


def validate_login(value: str) -> str:
    """Check a moderator login (lower case letters, digits and ``._@+-``, 2 to 64 characters)."""
    login = value.strip().lower()
    if not _LOGIN_RE.fullmatch(login):
        raise ValueError(
            "identifiant : 2 à 64 caractères parmi lettres minuscules, chiffres et « ._@+- »"
        )
    return login


def validate_password(value: str) -> str:
    """Check a new moderator password's length (it is never stored, only its argon2 hash)."""
    if len(value) < PASSWORD_MIN:
        raise ValueError(f"mot de passe : au moins {PASSWORD_MIN} caractères attendus")
    if len(value) > PASSWORD_MAX:
        raise ValueError(f"mot de passe : {PASSWORD_MAX} caractères au plus")
    if _forbidden_char(value) is not None:
        raise ValueError("mot de passe : caractère de contrôle non autorisé")
    return value
