"""Link tokens, sealed tokens and encrypted drafts (surveys.tokens)."""

import hashlib

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from coachloop.surveys import tokens


def test_a_token_is_long_random_and_stored_only_as_its_hash():
    a, b = tokens.new_token(), tokens.new_token()
    assert a != b
    assert len(a) >= 43
    assert tokens.looks_like_token(a)
    assert tokens.token_hash(a) == hashlib.sha256(a.encode()).hexdigest()
    assert a not in tokens.token_hash(a)


@pytest.mark.parametrize("bad", ["", "short", "x" * 200, "a" * 40 + "/../", "a" * 40 + " "])
def test_what_is_not_a_token_is_told_apart_before_any_lookup(bad):
    assert not tokens.looks_like_token(bad)


def test_a_draft_is_unreadable_without_its_link():
    token, other = tokens.new_token(), tokens.new_token()
    draft = {"values": {"focus-goals": 4, "focus-talk": None}, "comments": {"change": "SECRET"}}
    ciphertext = tokens.encrypt_draft(token, draft)
    for clear in ("focus-goals", "SECRET", "values", token):
        assert clear not in ciphertext
    assert tokens.decrypt_draft(token, ciphertext) == draft
    with pytest.raises(tokens.DraftUnreadable):
        tokens.decrypt_draft(other, ciphertext)
    with pytest.raises(tokens.DraftUnreadable):
        tokens.decrypt_draft(token, ciphertext[:-4] + "AAAA")


def test_the_draft_key_is_not_the_sealing_key():
    """A draft can't be opened with the server's sealing key, and a sealed token can't be
    opened as a draft: the two keys are derived apart."""
    token = tokens.new_token()
    sealed = tokens.seal(token)
    with pytest.raises(tokens.DraftUnreadable):
        tokens.decrypt_draft(token, sealed)


def test_a_sealed_token_opens_with_the_secret_key_only():
    token = tokens.new_token()
    sealed = tokens.seal(token)
    assert token not in sealed
    assert tokens.unseal(sealed) == token
    assert tokens.unseal("") is None
    assert tokens.unseal("not a fernet token") is None
    with override_settings(SECRET_KEY="another secret key entirely, for this test"):
        assert tokens.unseal(sealed) is None


@given(
    values=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
        st.one_of(st.none(), st.integers(0, 100)),
        max_size=30,
    ),
    comments=st.dictionaries(st.sampled_from(["strength", "change"]), st.text(max_size=300)),
)
def test_any_draft_round_trips_under_its_own_token(values, comments):
    token = tokens.new_token()
    data = {"values": values, "comments": comments}
    assert tokens.decrypt_draft(token, tokens.encrypt_draft(token, data)) == data
