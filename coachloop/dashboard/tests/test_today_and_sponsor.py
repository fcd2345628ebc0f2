"""The coach's "today" page and the sponsor's page: what is due and awaited, progress at a glance,
never confidential content, and a number of queries that does not grow with the engagements."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachloop.engagements import services
from coachloop.engagements.services import People
from coachloop.meetings import services as meetings
from coachloop.plans import services as plans

pytestmark = pytest.mark.django_db

PLAN_SUMMARY = "Lead data meetings that change teaching."


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def submit_plan(world, engagement):
    version = plans.plan_save(
        actor=world.cora,
        engagement=engagement,
        summary=PLAN_SUMMARY,
        goals=[{"title": "Run monthly data meetings", "measure": "4 of 4", "evidence": "Minutes"}],
        base=0,
    )
    return plans.plan_submit(actor=world.cora, engagement=engagement, number=version.number)


def add_engagement(world):
    engagement = services.engagement_create(
        actor=world.ada,
        programme=world.engagement.programme,
        people=People(
            coachees=[world.tom], coaches=[world.cora], sponsors=[world.lena], district_reps=[]
        ),
        starts_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    submit_plan(world, engagement)
    meetings.meeting_schedule(
        actor=world.cora,
        engagement=engagement,
        meeting_type="orientation",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        mode="in_person",
    )
    return engagement


def test_the_coach_sees_overdue_steps_and_plans_awaiting_the_sponsor(world, signed_in):
    submit_plan(world, world.engagement)
    response = signed_in(world.cora).get("/today/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = text(response)
    assert "Due this week and overdue" in page
    link = f'href="/engagements/{world.engagement.pk}/?phase=pre-coaching#step-review-assignment"'
    assert f"{link}>Review the coaching assignment, profile and data</a>" in page
    assert "Overdue" in page
    awaited = page[page.index("Plans awaiting the sponsor") :]
    assert f'href="/engagements/{world.engagement.pk}/plan/"' in awaited
    assert "The plan of Coaching Tom" in awaited
    assert PLAN_SUMMARY not in page
    for note in world.notes.values():
        assert note.body not in page


def test_the_coach_is_told_when_nothing_is_due(world, signed_in):
    world.engagement.steps.update(due_on=timezone.localdate() + datetime.timedelta(days=30))
    page = text(signed_in(world.cora).get("/today/"))
    assert "Nothing due this week." in page
    assert "No plans are waiting for a sponsor" in page


def test_the_sponsor_sees_the_plan_to_approve_and_the_progress(world, signed_in):
    submit_plan(world, world.engagement)
    world.engagement.steps.filter(step_key="review-assignment").update(status="done")
    response = signed_in(world.lena).get("/sponsor/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = text(response)
    awaiting = page.index("Plans awaiting your approval")
    following = page.index("Engagements you follow")
    assert awaiting < following
    plan_link = f'href="/engagements/{world.engagement.pk}/plan/"'
    assert plan_link in page[awaiting:following]
    row = page[following:]
    assert "Coaching Tom" in row
    assert str(world.tom) in row
    assert "Pre-coaching" in row
    assert "2 of 31 steps" in row  # the assignment reviewed, the IPCAP drafted and sent
    assert "Awaiting approval" in row
    assert PLAN_SUMMARY not in page
    for note in world.notes.values():
        assert note.body not in page
        assert note.title not in page


def test_the_sponsor_page_says_when_someone_sponsors_nothing(world, signed_in):
    page = text(signed_in(world.tina).get("/sponsor/"))
    assert "You do not sponsor or follow any coaching yet." in page
    assert "Coaching Tom" not in page


def test_the_navigation_offers_each_person_their_pages(world, signed_in):
    def nav(user):
        page = text(signed_in(user).get("/dashboard/"))
        return page[page.index('class="main-nav"') : page.index("</nav>")]

    cora, lena, ada, tina = (nav(u) for u in (world.cora, world.lena, world.ada, world.tina))
    assert 'href="/today/"' in cora
    assert 'href="/programmes/"' in cora  # she coaches in a programme
    assert 'href="/sponsor/"' not in cora
    assert 'href="/sponsor/"' in lena
    assert 'href="/today/"' in lena
    assert 'href="/programmes/"' in ada
    assert 'href="/playbooks/"' in ada
    assert 'href="/today/"' not in ada
    for link in ('href="/today/"', 'href="/programmes/"', 'href="/sponsor/"'):
        assert link not in tina


def test_the_dashboard_links_to_today_and_the_sponsor_page(world, signed_in):
    page = text(signed_in(world.lena).get("/dashboard/"))
    assert "What is due today" in page
    assert "Plans and progress you sponsor" in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(("who", "url"), [("cora", "/today/"), ("lena", "/sponsor/")])
def test_queries_do_not_grow_with_the_engagements(world, signed_in, who, url):
    add_engagement(world)
    client = signed_in(getattr(world, who))
    count_queries(client, url)  # warm the session
    small = count_queries(client, url)
    for _ in range(10):
        add_engagement(world)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries, then {large}"
    page = text(client.get(url))
    assert page.count("The plan of Coaching") + page.count("Review the plan of") >= 11
