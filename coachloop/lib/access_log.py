"""gunicorn's access log, without survey respondents' links (`coachloop serve` uses it).

A respondent's link `/s/<token>/` proves who was invited; an access log line with it would tell
when that person opened or answered the survey (DESIGN.md, invariant 2). The line is kept, with
the token replaced."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

RESPONDENT_PATH = re.compile(r"^/s/[^/?]+")
HIDDEN = "/s/<link>"


def redact(path: str) -> str:
    return RESPONDENT_PATH.sub(HIDDEN, path)


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith("/s/"):
            environ = dict(environ)
            environ["PATH_INFO"] = redact(environ["PATH_INFO"])
            environ["RAW_URI"] = redact(str(environ.get("RAW_URI", "")))
            environ["HTTP_REFERER"] = "-"
        return super().atoms(resp, req, environ, request_time)
