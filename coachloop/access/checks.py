"""Project system checks for operators' mistakes, with stable ids.

coachloop.E001: production without a Content Security Policy (Django sets none by default).
coachloop.E002: a policy that allows inline or eval'd scripts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "*")


@register(Tags.security, deploy=True)
def check_content_security_policy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    csp: dict[str, list[str]] = getattr(settings, "SECURE_CSP", None) or {}
    middleware = "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if not csp or middleware not in settings.MIDDLEWARE:
        return [
            Error(
                "No Content Security Policy is set.",
                hint="Set SECURE_CSP and add ContentSecurityPolicyMiddleware to MIDDLEWARE.",
                id="coachloop.E001",
            )
        ]
    scripts = [str(s) for s in csp.get("script-src", csp.get("default-src", []))]
    if not scripts or any(s in UNSAFE for s in scripts):
        return [
            Error(
                "The Content Security Policy allows inline or eval'd scripts, or sets none.",
                hint="Give SECURE_CSP a script-src of 'self' only; serve scripts as files.",
                id="coachloop.E002",
            )
        ]
    return []
