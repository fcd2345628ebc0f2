"""Instructional coaching content at each visibility level, through every channel a person can
read it by: the API, the pages and the exports. A marker written into an action step, an
observation or a practice attempt's feedback shows up for exactly the people the policy lets
read it (test_instructional_matrix.py holds the rule itself)."""

import datetime

import pytest
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.access.tests.test_instructional_matrix import CAN_READ_AUTHORED_BY_CORA
from coachloop.accounts.services import token_create
from coachloop.actionsteps.models import ActionStep, PracticeAttempt
from coachloop.meetings.models import Meeting
from coachloop.observations.models import Observation

MARK = "zebra-crossing-9"
OUTSIDERS = ("sam", "tina", "bea", "ben")


def _step(world, e, level, title):
    return ActionStep.objects.create(
        organisation=e.organisation,
        engagement=e,
        coachee=world.tom,
        author=world.cora,
        visibility=level,
        title=title,
        success_criteria=["Waits three seconds"],
    )


def make(kind, world, e, level):
    """The content, and the pages that show it."""
    if kind == "action_step":
        step = _step(world, e, level, MARK)
        return [
            f"/engagements/{e.pk}/action-steps/",
            f"/engagements/{e.pk}/action-steps/{step.pk}/",
        ], [f"/api/engagements/{e.pk}/action-steps"]
    if kind == "observation":
        obs = Observation.objects.create(
            organisation=e.organisation,
            engagement=e,
            coachee=world.tom,
            author=world.cora,
            visibility=level,
            status="final",
            notes=MARK,
            finished_at=timezone.now(),
        )
        return [
            f"/engagements/{e.pk}/observations/{obs.pk}/",
            f"/engagements/{e.pk}/observations/export/?format=csv",
        ], [f"/api/engagements/{e.pk}/observations/{obs.pk}"]
    if kind == "practice":
        meeting = Meeting.objects.create(
            organisation=e.organisation,
            engagement=e,
            meeting_type="feedback",
            title="Feedback meeting",
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            mode="in_person",
            author=world.cora,
            visibility=level,
            agenda=[{"title": "Practice", "minutes": 10, "tool": "practice"}],
            stage_notes=[""],
        )
        PracticeAttempt.objects.create(
            organisation=e.organisation,
            meeting=meeting,
            action_step=_step(world, e, Visibility.TEAM, "Wait time"),
            number=1,
            criteria=[{"criterion": "Waits three seconds", "met": True}],
            feedback=MARK,
            author=world.cora,
        )
        return [f"/engagements/{e.pk}/meetings/{meeting.pk}/guide/"], [
            f"/api/engagements/{e.pk}/meetings/{meeting.pk}/practice"
        ]
    raise AssertionError(kind)


def api_text(client, user, path):
    _token, raw = token_create(user=user, name="matrix", read_only=True)
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code in (200, 403, 404), (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("kind", ["action_step", "observation", "practice"])
@pytest.mark.parametrize("level", Visibility.values)
def test_content_reaches_exactly_its_readers_through_every_channel(
    world, instructional, client, signed_in, kind, level
):
    pages, apis = make(kind, world, instructional, level)
    for name, levels in CAN_READ_AUTHORED_BY_CORA.items():
        user = world.people[name]
        expected = level in levels
        for path in apis:
            assert (MARK in api_text(client, user, path)) is expected, ("api", path, name)
        browser = signed_in(user)
        for path in pages:
            response = browser.get(path)
            if name in OUTSIDERS:
                assert response.status_code == 404, (path, name)
            if kind == "practice" and name in ("lena", "dan", "ada"):
                # the guide is for those who run the meeting: sponsors and administrators are
                # refused the page, whatever the minutes' level
                assert response.status_code in (403, 404), (path, name)
                continue
            assert (MARK in response.content.decode()) is expected, ("page", path, name)
        client.logout()


@pytest.mark.django_db
def test_the_caseload_and_teachers_page_show_the_step_only_to_its_readers(
    world, instructional, signed_in
):
    _step(world, instructional, Visibility.PRIVATE, MARK)  # Cora's own, not yet shared
    assert MARK in signed_in(world.cora).get("/caseload/").content.decode()
    assert MARK in signed_in(world.cora).get("/caseload/export/?format=csv").content.decode()
    tom_page = signed_in(world.tom).get("/my-coaching/")
    assert tom_page.status_code == 200
    assert MARK not in tom_page.content.decode()
    ActionStep.objects.update(visibility=Visibility.TEAM)
    assert MARK in signed_in(world.tom).get("/my-coaching/").content.decode()
