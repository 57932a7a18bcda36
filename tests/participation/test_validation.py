from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.participation import validation as v
from quartiers.participation.schemas import ContributionCreate

from .helpers import ROCHE


def test_clean_text_normalises_and_trims() -> None:
    assert v.clean_text("  Il fait\r\nchaud  ", label="texte") == "Il fait\nchaud"
    # NFC: "e" + combining acute becomes "é".
    assert v.clean_text("ombre\u0301e ici", label="texte") == "ombrée ici"


@pytest.mark.parametrize("bad", ["ab\x00cd", "ab\x1bcd", "ab\ud800cd", "abc\x7f"])
def test_clean_text_refuses_control_characters_and_lone_surrogates(bad: str) -> None:
    with pytest.raises(ValueError, match="caractère non autorisé"):
        v.clean_text(bad, label="texte")


def test_clean_text_length_limits_in_characters() -> None:
    with pytest.raises(ValueError, match="au moins 3"):
        v.clean_text("  a ", label="texte")
    assert len(v.clean_text("é" * v.TEXT_MAX, label="texte")) == v.TEXT_MAX
    with pytest.raises(ValueError, match=f"{v.TEXT_MAX} caractères au plus"):
        v.clean_text("é" * (v.TEXT_MAX + 1), label="texte")


@given(st.text(max_size=200))
def test_clean_text_is_idempotent_and_storable(raw: str) -> None:
    try:
        once = v.clean_text(raw, label="texte", min_len=0)
    except ValueError:
        return
    assert v.clean_text(once, label="texte", min_len=0) == once
    once.encode("utf-8")  # storable in every database
    assert "\x00" not in once and "\r" not in once


def test_coordinates() -> None:
    assert v.validate_coordinates(-1.123456789, 46.5) == (-1.1234568, 46.5)
    for lon, lat in [(math.nan, 0.0), (0.0, math.inf), (181.0, 0.0), (0.0, -90.5)]:
        with pytest.raises(ValueError):
            v.validate_coordinates(lon, lat)


def test_check_in_territory_names_the_territory() -> None:
    v.check_in_territory(ROCHE, -1.43, 46.67)
    v.check_in_territory(ROCHE, -1.50, 46.62)  # a corner counts as inside
    with pytest.raises(ValueError, match="en dehors du territoire 85191"):
        v.check_in_territory(ROCHE, 2.35, 48.85)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Marie.Dupont@Exemple.FR", "Marie.Dupont@exemple.fr"), (" a+b@x.org ", "a+b@x.org")],
)
def test_email_accepted(raw: str, expected: str) -> None:
    assert v.validate_email(raw) == expected


@pytest.mark.parametrize(
    "bad", ["", "sans-arobase", "a@b", "a@@b.fr", "a b@c.fr", "<script>@x.fr", "a@-x.fr"]
)
def test_email_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        v.validate_email(bad)


def test_codes() -> None:
    assert v.validate_code_qp(" qn08503i ") == "QN08503I"
    assert v.validate_territory_code("248500589") == "248500589"
    # a zone of a --zones diagnostic keeps its id as written (issue 21)
    assert v.validate_code_qp("LRY-NORD") == "LRY-NORD"
    for bad in ["", "QN08503I'; DROP TABLE", "zone nord", "Z" * 41]:
        with pytest.raises(ValueError, match="code_qp"):
            v.validate_code_qp(bad)
    with pytest.raises(ValueError, match="territoire"):
        v.validate_territory_code("../etc")


def test_login_and_password_rules() -> None:
    assert v.validate_login(" Alice.M ") == "alice.m"
    with pytest.raises(ValueError, match="identifiant"):
        v.validate_login("a")
    with pytest.raises(ValueError, match="au moins 12"):
        v.validate_password("court")


def test_create_schema_needs_a_location() -> None:
    base = {"territory": "85191", "category": "frais", "text": "Ombre du parc"}
    with pytest.raises(ValueError, match="un point"):
        ContributionCreate.model_validate(base)
    with pytest.raises(ValueError, match="vont ensemble"):
        ContributionCreate.model_validate({**base, "lon": -1.4})
    assert ContributionCreate.model_validate({**base, "code_qp": "qn08503i"}).code_qp == "QN08503I"
    with pytest.raises(ValueError):
        ContributionCreate.model_validate({**base, "lon": -1.4, "lat": 46.6, "extra": 1})
