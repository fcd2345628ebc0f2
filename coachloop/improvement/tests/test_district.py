"""The district view: per school, target areas (titles only where the viewer may read them at
the sponsors or programme level, else counts), action steps by status, overdue steps and the
latest check-in; filters, sorting, export; and a query count that does not grow with the number
of schools."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachloop.improvement import selectors, services
from coachloop.improvement.models import CheckIn, SchoolActionStep, TargetArea
from coachloop.improvement.tests.conftest import future
from coachloop.organisations.models import OrganisationKind
from coachloop.testing.factories import EngagementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

RESOURCES = "Acquiring and allocating resources"


@pytest.fixture
def oak_work(world, lfl, adm):
    """At Oak: a target area shared with sponsors, one kept to the team and a strength; an
    overdue planned step and a step done through its check-in."""
    engagement = lfl.engagement
    shared = services.target_area_choose(
        actor=world.lena, engagement=engagement, administration=adm, domain="monitoring"
    )
    services.target_area_choose(
        actor=world.lena,
        engagement=engagement,
        administration=adm,
        domain="focus",
        visibility="team",
    )
    services.target_area_choose(
        actor=world.cora,
        engagement=engagement,
        administration=adm,
        domain="resources",
        kind="strength",
    )
    late = services.action_step_create(
        actor=world.lena,
        engagement=engagement,
        target_area=shared,
        text="Visit classrooms",
        owner=world.lena,
        due_on=future(),
        measure="Log",
    )
    SchoolActionStep.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    done = services.action_step_create(
        actor=world.lena,
        engagement=engagement,
        target_area=shared,
        text="Share the data",
        owner=world.lena,
        due_on=future(),
        measure="Minutes",
    )
    services.check_in_create(actor=world.cora, step=done, progress="done", summary="Shared")
    return shared


def rows_for(user, organisation, **filters):
    schools = list(selectors.district_schools(user, organisation, **filters))
    return {row.school.name: row for row in selectors.district_rows(user, schools)}


def test_the_numbers_per_school(world, oak_work):
    rows = rows_for(world.dan, world.district)
    assert set(rows) == {"Oak", "Elm"}
    oak = rows["Oak"].school
    assert (oak.target_count, oak.strength_count) == (2, 1)
    assert (oak.planned, oak.underway, oak.done, oak.dropped, oak.overdue) == (1, 0, 1, 0, 1)
    assert oak.latest_progress == "done"
    assert rows["Oak"].latest_progress_label == "Done"
    # Dan (the engagement's district representative) reads titles shared with sponsors only
    assert [a.title for a in rows["Oak"].titles] == [
        RESOURCES,  # strengths first
        "Monitoring teaching and learning",
    ]
    elm = rows["Elm"].school
    assert (elm.target_count, elm.step_count, elm.latest_at) == (0, 0, None)


def test_the_administrator_sees_counts_but_not_titles_kept_from_her(world, oak_work):
    rows = rows_for(world.ada, world.district)
    assert rows["Oak"].school.target_count == 2
    assert rows["Oak"].titles == []  # sponsors-level areas; Ada is at the programme level


def test_filters_and_sorting(world, oak_work):
    assert set(rows_for(world.dan, world.district, status="overdue")) == {"Oak"}
    assert set(rows_for(world.dan, world.district, status="none")) == {"Elm"}
    assert set(rows_for(world.dan, world.district, status="underway")) == set()
    assert set(rows_for(world.dan, world.district, search="el")) == {"Elm"}
    ordered = selectors.district_schools(world.dan, world.district, sort="-name")
    assert [s.name for s in ordered] == ["Oak", "Elm"]
    ordered = selectors.district_schools(world.dan, world.district, sort="overdue")
    assert next(iter(ordered)).name == "Oak"


def test_only_overseers_get_the_view(world, oak_work):
    assert not selectors.district_schools(world.lena, world.district).exists()
    assert not selectors.district_schools(world.bea, world.district).exists()
    assert not selectors.districts_of(world.cora).exists()


def test_the_page_and_its_exports(world, oak_work, signed_in):
    client = signed_in(world.dan)
    page = client.get("/improvement/district/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Monitoring teaching and learning" in text
    assert "Focus on learning" not in text  # kept to the team
    csv = client.get("/improvement/district/", {"format": "csv", "q": "oak"})
    assert csv.status_code == 200
    assert csv["Content-Disposition"].startswith("attachment;")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("School,Target areas,Strengths")
    assert len(lines) == 2
    assert lines[1].startswith("Oak,2,1,")
    xlsx = client.get("/improvement/district/", {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    assert signed_in(world.lena).get("/improvement/district/").status_code == 403


def add_schools(world, lfl, adm, n, prefix="School"):
    """n more schools in the district, each with an engagement, areas, steps and a check-in."""
    for i in range(n):
        school = OrganisationFactory(
            name=f"{prefix} {i:03}", kind=OrganisationKind.SCHOOL, parent=world.district
        )
        engagement = EngagementFactory(
            programme=lfl.engagement.programme,
            organisation=school,
            title=f"LfL {i}",
            starts_on=lfl.engagement.starts_on,
            playbook_version=lfl.engagement.playbook_version,
            current_phase="assess",
        )
        area = TargetArea.objects.create(
            organisation=school,
            engagement=engagement,
            administration=adm,
            domain="focus",
            title=f"Area {i}",
            author=world.cora,
            visibility="sponsors" if i % 2 else "team",
        )
        step = SchoolActionStep.objects.create(
            organisation=school,
            engagement=engagement,
            target_area=area,
            text="Step",
            owner=world.cora,
            due_on=future(i - 5),
            measure="m",
            status="underway",
            author=world.cora,
            visibility="sponsors",
        )
        CheckIn.objects.create(
            organisation=school,
            action_step=step,
            progress="at_risk",
            summary="s",
            author=world.cora,
        )


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_schools(world, lfl, adm, oak_work, signed_in):
    client = signed_in(world.ada)
    add_schools(world, lfl, adm, 1)  # Oak, Elm and one more: 3 schools
    client.get("/improvement/district/")  # warm caches (sessions, content types)
    few = count_queries(client, "/improvement/district/")
    api_few = count_queries(client, "/api/improvement/district")
    add_schools(world, lfl, adm, 27, prefix="More")
    many_rows = selectors.district_schools(world.ada, world.district)
    assert many_rows.count() == 30
    many = count_queries(client, "/improvement/district/")
    api_many = count_queries(client, "/api/improvement/district")
    assert many == few
    assert api_many == api_few
