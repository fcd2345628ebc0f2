"""School improvement in the browser, with axe on every page: Lena enters a goal of Oak's
improvement plan, chooses a target area from the closed survey and writes an action step
aligned to the plan; Cora checks in with a barrier and a partner; Dan opens the district view
and downloads it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.improvement.models import TargetArea
from coachloop.improvement.tests.conftest import make_administration

pytestmark = pytest.mark.browser


def test_plan_target_area_action_step_check_in_and_district_view(browser, live_server, world, lfl):
    make_administration(lfl, world)
    engagement = lfl.engagement
    from coachloop.e2e.conftest import Checked

    def new_page(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        checked = Checked(page, live_server.url)
        sign_in(checked, user)
        return checked, context

    # Lena: the plan and a goal
    checked, context = new_page(world.lena)
    page = checked.page
    checked.goto(f"/schools/{world.oak.pk}/improvement/")
    expect(page.get_by_text("No improvement plan yet.")).to_be_visible()
    page.get_by_label("Title").fill("Oak improvement plan 2026-27")
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_text("Improvement plan created.")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Add the goal").click()  # nothing typed
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    checked.axe()
    page.get_by_label("Goal", exact=True).fill("Every pupil reads fluently by age 9")
    page.get_by_label("Owner").fill("Literacy lead")
    page.get_by_label("Measure of success").fill("Reading age at or above actual age")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("Goal added.")).to_be_visible()
    expect(
        page.get_by_role("rowheader", name="Every pupil reads fluently by age 9")
    ).to_be_visible()
    checked.axe()

    # Lena: a target area from the report, then an action step
    checked.goto(f"/engagements/{engagement.pk}/improvement/")
    page.get_by_role("link", name="Choose target areas").click()
    checked.axe()
    page.get_by_label("Domain or item").select_option(
        label="Monitoring teaching and learning (whole domain)"
    )
    page.get_by_label("Why this area").fill("Lowest domain; leaders rarely visit classrooms.")
    page.get_by_role("button", name="Choose this area").click()
    expect(page.get_by_text("“Monitoring teaching and learning” chosen.")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Write an action step", exact=True).click()
    checked.axe()
    page.get_by_label("Action step").fill("Leaders visit every classroom each fortnight")
    expect(page.get_by_label("Target area it addresses")).to_have_value(
        str(TargetArea.objects.get().pk)
    )
    page.get_by_label("School improvement goal it serves").select_option(
        label="Every pupil reads fluently by age 9 (Oak improvement plan 2026-27)"
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Due on").fill(due.isoformat())
    page.get_by_label("Success measure").fill("Visit log: two visits a month per class")
    page.get_by_role("button", name="Save the action step").click()
    expect(page.get_by_text("Action step saved.")).to_be_visible()
    checked.axe()
    step_url = page.url
    context.close()

    # Cora: a check-in with a barrier and a partner
    checked, context = new_page(world.cora)
    page = checked.page
    checked.page.goto(step_url)
    checked.axe()
    expect(page.get_by_text("No check-in yet.")).to_be_visible()
    page.get_by_label("At risk").check()
    page.get_by_label("What moved").fill("Four visits done")
    page.get_by_label("Barriers").fill("No cover for leaders on Mondays")
    page.get_by_label("How to overcome them").fill("Move visits to Wednesdays")
    page.get_by_label("Support needed").fill("A walkthrough protocol")
    page.get_by_label("From which partner").select_option("WebbAlign (Depth of Knowledge)")
    page.get_by_role("button", name="Save the check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.get_by_text("No cover for leaders on Mondays")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Under way")).to_be_visible()
    checked.axe()
    context.close()

    # Dan: the district view
    checked, context = new_page(world.dan)
    page = checked.page
    checked.goto("/improvement/district/")
    oak = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Oak"))
    expect(oak).to_contain_text("1 target area")
    expect(oak).to_contain_text("Monitoring teaching and learning")
    expect(oak).to_contain_text("At risk")
    page.get_by_label("School").fill("elm")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("rowheader", name="Oak")).to_have_count(0)
    checked.axe()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    context.close()
