"""Coaching-experience feedback in the browser, with axe on every page: after a round closed
with three of Cora's five coachees answering, Cora reads her results and replies with what she
will change (a refused empty reply first); Ada reads the trends across the programme's coaches,
where Carl's round of two is not shown."""

import pytest
from playwright.sync_api import expect

from coachloop.coaches.tests.test_feedback import answer, asked, close_quarter, round_of
from coachloop.e2e.conftest import Checked, sign_in

pytestmark = pytest.mark.browser


def test_cora_reads_her_feedback_and_replies(browser, live_server, world, coachdev):
    asked()
    answer(round_of(coachdev.programme, world.cora), [3, 4, 4])
    answer(round_of(coachdev.programme, coachdev.carl), [4, 4])
    close_quarter()

    def new_page(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        checked = Checked(page, live_server.url)
        sign_in(checked, user)
        return checked, context

    checked, context = new_page(world.cora)
    page = checked.page
    checked.goto(f"/coaches/{world.cora.pk}/feedback/")
    expect(page.get_by_role("heading", name="Feedback on my coaching")).to_be_visible()
    table = page.get_by_role("table", name="Domain scores, 2026-Q4")
    expect(table.get_by_role("row", name="The coaching relationship 3.67")).to_be_visible()
    page.get_by_role("link", name="Reply with what you will change").click()
    checked.axe()
    expect(
        page.get_by_role("heading", name="Coaching experience: " + str(world.cora) + ", 2026-Q4")
    ).to_be_visible()
    page.get_by_role("button", name="Save my reply").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    checked.axe()
    page.get_by_label("What I will change").fill("I will agree the next step before we leave.")
    page.get_by_role("button", name="Save my reply").click()
    expect(page.get_by_text("Your reply is saved.")).to_be_visible()
    expect(page.get_by_text("I will agree the next step before we leave.").first).to_be_visible()
    expect(page.get_by_role("button", name="Change my reply")).to_be_visible()
    checked.axe()
    context.close()

    checked, context = new_page(world.ada)
    page = checked.page
    checked.goto(f"/programmes/{coachdev.programme.pk}/coach-feedback/")
    across = page.get_by_role("table", name="Mean score across coaches per period")
    expect(across.get_by_role("row", name="2026-Q4 3.67 1")).to_be_visible()
    carl = page.get_by_role("row", name=str(coachdev.carl))
    expect(carl).to_contain_text("not shown")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith("-coach-feedback.csv")
    page.get_by_role("textbox", name="Coach").fill("nobody-like-this")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No coach matches this search.")).to_be_visible()
    checked.axe()
    context.close()
