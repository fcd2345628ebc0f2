"""The project's deploy checks catch a missing or weak Content Security Policy."""

from django.test import override_settings

from coachloop.access.checks import check_content_security_policy


def ids(messages):
    return [m.id for m in messages]


def test_the_shipped_policy_passes():
    assert check_content_security_policy() == []


@override_settings(SECURE_CSP={})
def test_an_empty_policy_fails():
    assert ids(check_content_security_policy()) == ["coachloop.E001"]


@override_settings(
    SECURE_CSP={"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}
)
def test_inline_scripts_fail():
    assert ids(check_content_security_policy()) == ["coachloop.E002"]


def test_pages_carry_the_policy_header(client, db):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header
