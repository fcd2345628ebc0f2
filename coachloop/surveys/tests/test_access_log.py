"""`coachloop serve` logs requests without respondents' links."""

import datetime
from types import SimpleNamespace

from gunicorn.config import Config  # type: ignore[import-untyped]

from coachloop.lib.access_log import AccessLogger


def logged(path: str, tmp_path) -> str:
    out = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(out))
    logger = AccessLogger(cfg)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"{path}?page=2",
        "PATH_INFO": path,
        "QUERY_STRING": "page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://coachloop.example{path}",
    }
    resp = SimpleNamespace(status="302 Found", sent=0, headers=[])
    req = SimpleNamespace(headers=[("REFERER", "x")])
    logger.access(resp, req, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    return out.read_text()


def test_a_respondents_link_never_reaches_the_access_log(tmp_path):
    token = "Zq3-secret-token_AbC"
    line = logged(f"/s/{token}/page/2/", tmp_path)
    assert "POST /s/<link>/page/2/?page=2" in line
    assert token not in line


def test_other_paths_are_logged_as_they_are(tmp_path):
    line = logged("/surveys/4/report/", tmp_path)
    assert "/surveys/4/report/?page=2" in line
