"""Access tokens: what a verified token's memory may and may not accept."""

from __future__ import annotations

import dataclasses
import uuid
from collections import OrderedDict
from datetime import timedelta

import jwt

from domain.accounts import tokens
from domain.core import clock
from infra.settings import get_settings, use_settings


def _issue() -> tuple[str, uuid.UUID, uuid.UUID]:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token, _ = tokens.issue_access_token(user_id, session_id)
    return token, user_id, session_id


def test_a_valid_token_reads_the_same_the_second_time():
    token, user_id, session_id = _issue()
    expected = tokens.AccessClaims(user_id, session_id)
    assert tokens.read_access_token(token) == expected
    assert token in tokens._verified
    assert tokens.read_access_token(token) == expected


def test_an_altered_token_is_refused_even_when_the_genuine_one_is_remembered():
    token, _, _ = _issue()
    assert tokens.read_access_token(token) is not None
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert tokens.read_access_token(f"{header}.{payload}.{flipped}") is None
    forged = jwt.encode(
        jwt.decode(token, options={"verify_signature": False}),
        "another-secret-key-of-enough-length-0123456789",
        algorithm="HS256",
    )
    assert tokens.read_access_token(forged) is None
    assert tokens.read_access_token(token + "x") is None


def test_a_remembered_token_still_expires():
    token, _, _ = _issue()
    assert tokens.read_access_token(token) is not None
    lifetime = timedelta(minutes=get_settings().access_token_minutes)
    with clock.frozen(clock.now() + lifetime + timedelta(seconds=1)):
        assert tokens.read_access_token(token) is None


def test_a_new_secret_key_verifies_remembered_tokens_again():
    token, _, _ = _issue()
    assert tokens.read_access_token(token) is not None
    settings = get_settings()
    use_settings(dataclasses.replace(settings, secret_key="k" * 64))
    try:
        assert tokens.read_access_token(token) is None
    finally:
        use_settings(settings)
    assert tokens.read_access_token(token) is not None


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 3)
    monkeypatch.setattr(tokens, "_verified", OrderedDict())
    issued = [_issue()[0] for _ in range(5)]
    for token in issued:
        assert tokens.read_access_token(token) is not None
    assert len(tokens._verified) <= 3
    assert issued[-1] in tokens._verified and issued[0] not in tokens._verified
    assert tokens.read_access_token(issued[0]) is not None  # forgotten, verified again
