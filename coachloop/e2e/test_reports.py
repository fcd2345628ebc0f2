"""Survey reports in the browser, with axe: the report (and its print layout), growth and the
district report."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.surveys.models import Comment
from coachloop.surveys.tests.test_engine import administration_at, lfl_people, store
from coachloop.testing.personas import build_lfl

pytestmark = pytest.mark.browser


@pytest.fixture
def surveys(world):
    lfl = build_lfl(world)
    first = administration_at(world.oak, creator=world.cora)
    store(first, lfl_people(11, seed=4))
    second = administration_at(world.oak, previous=first, creator=world.cora)
    store(second, lfl_people(14))
    Comment.objects.bulk_create(
        Comment(administration=second, question="change", text=f"More time to plan, {i}")
        for i in range(10)
    )
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(3, seed=9))
    return lfl, second


def test_the_school_leader_reads_the_report_on_screen_and_in_print(checked, world, surveys):
    _lfl, admin = surveys
    page = checked.page
    sign_in(checked, world.lena)
    checked.goto(f"/surveys/{admin.pk}/report/")
    expect(page.get_by_role("heading", name="Domains", level=2)).to_be_visible()
    expect(page.get_by_role("img", name="Domain scores with 95% intervals")).to_be_visible()
    expect(page.get_by_role("table", name="Domain scores")).to_contain_text("Focus on learning")
    expect(page.get_by_role("heading", name="Strengths and target areas")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    checked.axe()
    page.emulate_media(media="screen")

    checked.goto(f"/surveys/{admin.pk}/growth/")
    expect(
        page.get_by_role("heading", name="Change since the previous administration")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Domain scores over administrations")).to_be_visible()


def test_the_district_representative_reads_the_district_report(checked, world, surveys):
    lfl, _admin = surveys
    page = checked.page
    sign_in(checked, world.dan)
    checked.goto(
        f"/reports/district/?organisation={world.district.pk}&instrument={lfl.instrument.pk}"
    )
    table = page.get_by_role("table")
    expect(table).to_contain_text("Oak")
    expect(table).to_contain_text("Not shown: fewer than 5 answers")
    page.get_by_role("link", name="Focus on learning").click()
    checked.axe()
