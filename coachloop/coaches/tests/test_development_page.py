"""A coach's development page: who may open it (the coach, their lead coaches, the administrators
of their programmes), its header, the four sections from the profile, responsiveness and
feedback work, and the caseload as far as the viewer may see it."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachloop.coaches import overview
from coachloop.coaches.tests.test_overview import add_coaches
from coachloop.engagements.models import EngagementStatus

pytestmark = pytest.mark.django_db


def url(user):
    return f"/coaches/{user.pk}/"


def test_cora_her_lead_and_the_administrator_see_her_page(world, coachdev, signed_in):
    for viewer in (world.cora, coachdev.lola, world.ada):
        response = signed_in(viewer).get(url(world.cora))
        assert response.status_code == 200, viewer.email


@pytest.mark.parametrize("name", ["tom", "lena", "bea", "dan", "sam"])
def test_others_get_404_as_for_a_missing_coach(world, coachdev, signed_in, name):
    assert signed_in(getattr(world, name)).get(url(world.cora)).status_code == 404


def test_another_coach_who_is_not_her_lead_gets_404(world, coachdev, signed_in):
    assert signed_in(coachdev.carl).get(url(world.cora)).status_code == 404
    assert signed_in(world.ada).get("/coaches/999999/").status_code == 404


def test_my_development_goes_to_your_own_page(world, coachdev, signed_in):
    response = signed_in(world.cora).get("/coaches/me/")
    assert response.status_code == 302
    assert response["Location"] == url(world.cora)
    page = signed_in(world.cora).get(url(world.cora)).content.decode()
    assert "<h1>My development</h1>" in page


def test_the_header_names_the_programmes_and_the_lead_coach(world, coachdev, signed_in):
    page = signed_in(world.ada).get(url(world.cora)).content.decode()
    assert f"{world.cora}: development" in page
    assert "Instructional coaching" in page
    assert str(coachdev.lola) in page
    # Ada manages the programme: a link to its coach overview
    assert f'href="/programmes/{coachdev.programme.pk}/coaches/"' in page
    # Cora is coached, not a coach, in the development programme
    found = overview.development(world.ada, world.cora)
    assert coachdev.development_programme not in found.programmes
    assert found.leads == [coachdev.lola]


def test_the_page_includes_the_four_sections_for_the_coach(world, coachdev, signed_in):
    from coachloop.coaches import views

    names = {
        ("profile", "profile_section"): "coaches/_profile_section.html",
        ("profile", "growth_section"): "coaches/_growth_section.html",
        ("responsiveness", "responsiveness_section"): "messaging/_responsiveness_section.html",
        ("feedback", "feedback_section"): "coaches/_feedback_section.html",
    }
    patches = [
        mock.patch.object(
            getattr(views, module), function, wraps=getattr(getattr(views, module), function)
        )
        for module, function in names
    ]
    spies = [p.start() for p in patches]
    try:
        response = signed_in(coachdev.lola).get(url(world.cora))
    finally:
        for p in patches:
            p.stop()
    for spy in spies:
        spy.assert_called_once_with(coachdev.lola, world.cora)
    used = [t.name for t in response.templates]
    for template in names.values():
        assert template in used


def test_the_caseload_counts_active_engagements_per_programme(world, coachdev):
    cora = overview.coach_caseload(world.ada, world.cora)
    # five teachers here, and Tom in the world's performance coaching programme
    assert [(c.programme, c.count) for c in cora] == [
        (coachdev.programme, 5),
        (world.engagement.programme, 1),
    ]
    carl = overview.coach_caseload(world.ada, coachdev.carl)
    assert [(c.programme, c.count) for c in carl] == [(coachdev.programme, 2)]
    lola = overview.coach_caseload(world.ada, coachdev.lola)
    assert [(c.programme, c.count) for c in lola] == [(coachdev.development_programme, 1)]
    done = coachdev.engagements[1]
    done.status = EngagementStatus.COMPLETED
    done.save()
    assert overview.coach_caseload(world.ada, world.cora)[0].count == 4
    # as far as the viewer may see: Tom sees his own engagements only
    tom = overview.coach_caseload(world.tom, world.cora)
    assert [(c.programme, c.count) for c in tom] == [
        (coachdev.programme, 1),
        (world.engagement.programme, 1),
    ]


def test_the_caseload_shows_only_engagements_the_viewer_may_see(world, coachdev, signed_in):
    # Lola follows Cora but takes no part in her instructional engagements
    assert overview.coach_caseload(coachdev.lola, world.cora) == []
    page = signed_in(coachdev.lola).get(url(world.cora)).content.decode()
    assert "No active engagement coached that you may see." in page
    page = signed_in(world.ada).get(url(world.cora)).content.decode()
    assert "6 active engagements coached" in page
    assert coachdev.engagements[0].title in page


def test_the_page_takes_as_many_queries_whatever_the_programme_size(world, coachdev, signed_in):
    client = signed_in(world.ada)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world.cora)).status_code == 200
        return len(ctx)

    count()
    small = count()
    add_coaches(world, coachdev, 5)
    assert count() == small
