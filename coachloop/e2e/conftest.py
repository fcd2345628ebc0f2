"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser),
with axe-core from npm run on every page visited; any violation fails the test. Any Content
Security Policy violation in the console fails it too."""

import json
import os
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COACHLOOP_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/test, which installs Debian's chromium")
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run bin/test, which runs npm ci")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Checked:
    """A page wrapper that runs axe-core after each navigation the test asks it to check."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.csp_errors: list[str] = []
        page.on(
            "console",
            lambda msg: (
                self.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.axe()

    def axe(self):
        self.page.wait_for_load_state("load")
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
        )
        assert result == [], f"axe violations on {self.page.url}:\n{json.dumps(result, indent=2)}"
        assert self.csp_errors == [], f"CSP violations on {self.page.url}: {self.csp_errors}"


@pytest.fixture
def world(transactional_db):
    """The personas (coachloop/testing/personas.py), committed: the live server answers the
    browser from another thread, which sees no uncommitted test transaction. The `peer` and
    `instructional` fixtures build on this one."""
    from coachloop.testing.personas import build_world

    return build_world()


@pytest.fixture
def checked(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Checked(page, live_server.url)
    context.close()


def totp_now(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 26:  # never hand out a code about to expire mid-submit
        time.sleep(30 - time.time() % 30 + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in(checked, user, password=None):
    """Sign `user` in through the real sign-in pages (password, then a TOTP code), checking each
    page with axe. A fresh browser context per test, so one person per `checked` page."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from playwright.sync_api import expect

    from coachloop.testing.factories import PASSWORD

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, SECRET)
    page = checked.page
    checked.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:").fill(totp_now(SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    checked.axe()
    return checked
