"""The views of instructional coaching in the browser, with axe on every page: the coach's
caseload (search, order, one-tap Observe) and the engagement page's "Coaching cycles"; the
teacher's own page; the programme administrator's aggregate of cycles."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.actionsteps.models import ActionStep, Cycle
from coachloop.e2e.conftest import sign_in
from coachloop.engagements.models import FormResponse, ParticipantRole
from coachloop.meetings import stagetimes
from coachloop.meetings.models import Meeting
from coachloop.observations.models import Observation
from coachloop.organisations.models import Role
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    ParticipantFactory,
    UserFactory,
)
from coachloop.testing.personas import build_instructional

pytestmark = pytest.mark.browser


@pytest.fixture
def instructional(world):
    engagement = build_instructional(world)
    ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        title="Wait three seconds after a question",
        success_criteria=["Waits three seconds", "Calls on a non-volunteer"],
    )
    agenda = [s.model_dump(mode="json") for s in engagement.spec.meeting_type("feedback").agenda]
    held = timezone.make_aware(datetime.datetime(2026, 9, 24, 10))
    meeting = Meeting.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        meeting_type="feedback",
        title="Feedback meeting",
        starts_at=held,
        held_at=held,
        status="held",
        mode="in_person",
        agenda=agenda,
        stage_notes=["", "Agreed: wait three seconds", "", "", "Observe on Tuesday"],
        author=world.cora,
        visibility="team",
        guide={
            "stages": [
                {"spent": s, "extra": 0, "skipped": False, "visited": True}
                for s in (120, 540, 420, 660, 90)
            ]
        },
    )
    stagetimes.count_held(meeting)  # as the meetings service does when a meeting is held
    Cycle.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        number=1,
        status="closed",
        opened_on=datetime.date(2026, 9, 1),
        closed_on=datetime.date(2026, 9, 24),
        closed_by=world.cora,
    )
    Cycle.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        number=2,
        opened_on=datetime.date(2026, 9, 24),
        observation_planned_on=datetime.date(2026, 9, 29),
    )
    Observation.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        status="final",
        started_at=held - datetime.timedelta(days=3),
    )
    FormResponse.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        form_key="reflection",
        title="Teacher's reflection",
        author=world.tom,
        visibility="team",
        data={"tried": "Counted to three in my head"},
    )
    # A second teacher, never observed.
    nia = UserFactory(given_name="Nia", family_name="Newton")
    MembershipFactory(user=nia, organisation=world.elm, role=Role.TEACHER)
    other = EngagementFactory(
        programme=engagement.programme,
        organisation=world.elm,
        title="Instructional coaching: Nia",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=engagement.playbook_version,
        current_phase=engagement.current_phase,
    )
    ParticipantFactory(engagement=other, user=world.cora, role=ParticipantRole.COACH)
    ParticipantFactory(engagement=other, user=nia, role=ParticipantRole.COACHEE)
    return engagement


def test_a_coach_works_from_her_caseload(checked, world, instructional):
    world.tom.family_name = "Thomas"  # the factory's random names could match the search
    world.tom.save()
    page = checked.page
    sign_in(checked, world.cora)
    page.get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    rows = page.locator("table.caseload tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=str(world.tom))).to_contain_text(
        "Wait three seconds after a question"
    )
    expect(page.get_by_role("button", name=f"Observe {world.tom}")).to_be_visible()
    checked.axe()

    # Longest since observed first: Nia, never observed, comes first.
    page.get_by_label("Order").select_option("observed")
    expect(rows.first).to_contain_text("Nia Newton")
    page.get_by_label("Search by teacher's name").fill(world.tom.family_name)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(world.tom))
    checked.axe()

    checked.goto("/caseload/?q=nobody-by-this-name")
    expect(page.get_by_text("No teacher in your caseload matches")).to_be_visible()

    checked.goto("/today/")
    expect(page.get_by_role("heading", name="Your teachers")).to_be_visible()
    expect(page.get_by_role("button", name="Observe Nia Newton")).to_be_visible()

    checked.goto(instructional.get_absolute_url())
    section = page.locator("section.coaching-cycles")
    expect(section.get_by_role("heading", name="Coaching cycles")).to_be_visible()
    expect(section.get_by_role("link", name="Wait three seconds after a question")).to_be_visible()
    expect(section.get_by_role("button", name="Start an observation")).to_be_visible()
    expect(section).to_contain_text("1")


def test_the_caseload_works_on_a_phone(browser, live_server, world, instructional):
    from coachloop.e2e.conftest import Checked

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        checked = Checked(context.new_page(), live_server.url)
        sign_in(checked, world.cora)
        checked.goto("/caseload/")
        button = checked.page.get_by_role("button", name=f"Observe {world.tom}")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_a_teacher_reads_his_own_coaching(checked, world, instructional):
    page = checked.page
    sign_in(checked, world.tom)
    page.get_by_role("link", name="My coaching", exact=True).click()
    expect(page.get_by_role("heading", name="My coaching", level=1)).to_be_visible()
    expect(
        page.get_by_role("link", name="Wait three seconds after a question", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Study this step")).to_be_visible()
    expect(page.get_by_text("Calls on a non-volunteer")).to_be_visible()
    expect(page.get_by_text("Agreed: wait three seconds")).to_be_visible()
    expect(page.get_by_text("Observe on Tuesday")).to_be_visible()
    expect(page.get_by_role("link", name="Teacher's reflection")).to_be_visible()
    expect(page.get_by_role("link", name="Write a reflection")).to_be_visible()
    checked.axe()


def test_the_sponsor_has_no_teacher_page(checked, world, instructional):
    sign_in(checked, world.lena)
    expect(checked.page.get_by_role("link", name="My coaching", exact=True)).to_have_count(0)
    checked.goto("/my-coaching/")
    expect(
        checked.page.get_by_text("You are not a teacher in instructional coaching.")
    ).to_be_visible()
    expect(checked.page.get_by_text("Wait three seconds")).to_have_count(0)
    checked.goto(instructional.get_absolute_url())
    expect(checked.page.get_by_text("In progress (not shared with you)")).to_be_visible()


def test_the_administrator_reads_the_programme_cycles(checked, world, instructional):
    page = checked.page
    sign_in(checked, world.ada)
    checked.goto(instructional.programme.get_absolute_url())
    page.get_by_role("link", name="Coaching cycles").click()
    expect(page.get_by_role("heading", name="Coaching cycles", level=1)).to_be_visible()
    page.get_by_label("From month").fill("2026-09")
    page.get_by_label("To month").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    table = page.locator("table.cycles")
    expect(table.get_by_role("row", name=str(world.cora))).to_contain_text("1")
    expect(page.locator("table.stages")).to_contain_text("Action step & modelling")
    checked.axe()

    page.get_by_label("From month").fill("2026-11")
    page.get_by_label("To month").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Choose a last month on or after the first month.")).to_be_visible()
    expect(page.get_by_label("To month")).to_have_value("2026-10")
    checked.axe()
