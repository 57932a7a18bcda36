from __future__ import annotations

import pytest

from quartiers.participation.security import TokenSigner, hash_token, new_token

from .helpers import cheap_passwords


def test_password_hash_is_argon2id_and_salted() -> None:
    passwords = cheap_passwords()
    first, second = passwords.hash("secret-de-test"), passwords.hash("secret-de-test")
    assert first.startswith("$argon2id$") and first != second
    assert passwords.verify(first, "secret-de-test")
    assert not passwords.verify(first, "secret-de-tesT")
    assert not passwords.verify(None, "secret-de-test")
    assert not passwords.verify("pas-un-hash", "x")


def test_weaker_hash_needs_rehash() -> None:
    weak = cheap_passwords()
    strong = type(weak)(time_cost=2, memory_cost_kib=2048, parallelism=1)
    assert strong.needs_rehash(weak.hash("abc")) and not weak.needs_rehash(weak.hash("abc"))


def test_signed_values_detect_tampering_and_purpose() -> None:
    signer = TokenSigner("k" * 32)
    token = new_token()
    signed = signer.sign(token, purpose="qt_session")
    assert signer.unsign(signed, purpose="qt_session", max_age_s=60) == token
    assert signer.unsign(signed, purpose="qt_prelogin", max_age_s=60) is None
    assert signer.unsign(signed[:-2] + "xx", purpose="qt_session", max_age_s=60) is None
    assert TokenSigner("z" * 32).unsign(signed, purpose="qt_session", max_age_s=60) is None
    assert signer.unsign(None, purpose="qt_session", max_age_s=60) is None


def test_signed_values_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    import itsdangerous.timed

    signer = TokenSigner("k" * 32)
    signed = signer.sign("valeur", purpose="p")
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 120)
    assert signer.unsign(signed, purpose="p", max_age_s=60) is None
    assert signer.unsign(signed, purpose="p", max_age_s=600) == "valeur"


def test_csrf_tokens_bound_to_their_key() -> None:
    signer = TokenSigner("k" * 32)
    token = signer.csrf_token("session-a")
    assert signer.check_csrf("session-a", token)
    assert not signer.check_csrf("session-b", token)
    assert not signer.check_csrf(None, token) and not signer.check_csrf("session-a", None)
    assert len(hash_token("abc")) == 64
    with pytest.raises(ValueError):
        TokenSigner("court")
