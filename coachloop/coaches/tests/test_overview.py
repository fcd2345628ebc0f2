"""The programme's coach overview: one row per coach with caseload, latest profile levels,
responsiveness and feedback trend; search, filters, order, paging, exports, who may open it and
a query count that does not grow with the number of coaches."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachloop.access.models import AuditEvent
from coachloop.coaches import overview
from coachloop.coaches.feedback import Trend, TrendPoint
from coachloop.engagements.models import EngagementStatus, ParticipantRole
from coachloop.messaging.models import Message, Question, Thread
from coachloop.organisations.models import Role
from coachloop.rubrics.models import CriterionRating, RubricScore
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FUNCTIONS = [
    "relationships",
    "improvement-process",
    "responsive-communication",
    "solution-dialogue",
    "reviewing-data",
]


# --- Data, made with the foundation's models directly ------------------------------------------


def profile_score(engagement, about, author, perspective, levels, *, on=None, visibility=None):
    """A practice-profile assessment of `about` with one rating per function in `levels`."""
    rubric = engagement.spec.rubric("practice-profile")
    score = RubricScore.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        rubric_key="practice-profile",
        rubric=rubric.model_dump(mode="json"),
        subject=f"{about}",
        author=author,
        visibility=visibility or "programme",
        feedback="",
        about=about,
        perspective=perspective,
        observed_on=on,
    )
    titles = {c.key: c.title for c in rubric.criteria}
    CriterionRating.objects.bulk_create(
        CriterionRating(score=score, criterion_key=key, criterion=titles.get(key, key), level=lv)
        for key, lv in levels.items()
    )
    return score


def question(engagement, asked_by, *, asked_at, answered_after=None, within=True, due_in_days=2):
    """A coachee's question in the engagement; answered after `answered_after` (a timedelta of
    school time) or still open."""
    thread = Thread.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        subject="A question",
        author=asked_by,
        visibility="team",
    )
    message = Message.objects.create(
        organisation=engagement.organisation, thread=thread, author=asked_by, body="?"
    )
    answered = answered_after is not None
    return Question.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        thread=thread,
        message=message,
        asked_by=asked_by,
        asked_at=asked_at,
        response_days=2,
        due_at=asked_at + dt.timedelta(days=due_in_days),
        answered_at=asked_at + answered_after if answered else None,
        working_seconds=int(answered_after.total_seconds()) if answered else None,
        within_agreement=within if answered else None,
    )


def add_coaches(world, coachdev, n, start=0):
    """n more coaches of the instructional programme, each with an engagement, an assessment
    about them and an answered and an open question."""
    programme = coachdev.programme
    version = programme.playbook.current
    now = timezone.now()
    made = []
    for i in range(start, start + n):
        coach = UserFactory(
            email=f"extra{i:03d}@a.test", given_name=f"Extra{i:03d}", family_name="Coach"
        )
        MembershipFactory(user=coach, organisation=world.district, role=Role.COACH)
        teacher = UserFactory(email=f"xteacher{i:03d}@a.test")
        MembershipFactory(user=teacher, organisation=world.oak, role=Role.TEACHER)
        engagement = EngagementFactory(
            programme=programme,
            organisation=world.oak,
            title=f"Extra {i}",
            playbook_version=version,
            current_phase=version.spec.phases[0].key,
        )
        ParticipantFactory(engagement=engagement, user=coach, role=ParticipantRole.COACH)
        ParticipantFactory(engagement=engagement, user=teacher, role=ParticipantRole.COACHEE)
        profile_score(coachdev.development, coach, coachdev.lola, "lead", {"relationships": 3})
        question(
            engagement,
            teacher,
            asked_at=now - dt.timedelta(days=5),
            answered_after=dt.timedelta(hours=3),
        )
        question(engagement, teacher, asked_at=now - dt.timedelta(days=4))
        made.append(coach)
    return made


@pytest.fixture
def rated(world, coachdev):
    """Cora rated by herself and by Lola; questions in Cora's and Carl's engagements."""
    dev = coachdev.development
    profile_score(
        dev, world.cora, world.cora, "self", dict.fromkeys(FUNCTIONS, 2), on=dt.date(2026, 9, 10)
    )
    profile_score(
        dev,
        world.cora,
        coachdev.lola,
        "lead",
        {"relationships": 3, "reviewing-data": 1},
        on=dt.date(2026, 9, 20),
    )
    now = timezone.now()
    tom_engagement = coachdev.engagements[0]
    question(
        tom_engagement,
        world.tom,
        asked_at=now - dt.timedelta(days=10),
        answered_after=dt.timedelta(hours=6),
    )
    question(
        tom_engagement,
        world.tom,
        asked_at=now - dt.timedelta(days=9),
        answered_after=dt.timedelta(hours=18),
        within=False,
    )
    question(tom_engagement, world.tom, asked_at=now - dt.timedelta(days=8))  # overdue
    carl_engagement = coachdev.carl_engagements[0]
    uma = carl_engagement.participants.get(role=ParticipantRole.COACHEE).user
    question(
        carl_engagement,
        uma,
        asked_at=now - dt.timedelta(days=3),
        answered_after=dt.timedelta(hours=2),
    )
    return coachdev


def rows(viewer, programme, **kw):
    return overview.coach_overview(viewer, programme, **kw).rows


def by_email(found):
    return {r.coach.email: r for r in found}


# --- The rows ------------------------------------------------------------------------------------


def test_one_row_per_coach_with_caseload_levels_and_responsiveness(world, rated):
    found = overview.coach_overview(world.ada, rated.programme)
    assert [f.key for f in found.functions] == FUNCTIONS
    assert [r.coach for r in found.rows] == sorted(
        [world.cora, rated.carl], key=lambda u: (u.family_name, u.given_name, u.email)
    )
    cora, carl = by_email(found.rows)[world.cora.email], by_email(found.rows)[rated.carl.email]
    assert cora.caseload == 5
    assert carl.caseload == 2
    first = cora.cells[0]
    assert first.function.key == "relationships"
    assert (first.self.level, first.lead.level) == (2, 3)
    assert first.lead.label == "Proficient"
    assert first.lead.on == dt.date(2026, 9, 20)
    middle = cora.cells[1]
    assert middle.self.level == 2
    assert middle.lead is None
    assert cora.responsiveness.asked == 3
    assert cora.responsiveness.answered == 2
    assert cora.responsiveness.overdue == 1
    assert cora.responsiveness.within_share == 0.5
    assert cora.responsiveness.median_days == pytest.approx(12 / 24)  # 6 and 18 school hours
    assert carl.responsiveness.asked == 1
    assert carl.responsiveness.overdue == 0
    assert all(c.self is None and c.lead is None for c in carl.cells)
    assert carl.feedback_status == "none"


def test_a_completed_engagement_leaves_the_caseload(world, rated):
    done = rated.engagements[0]
    done.status = EngagementStatus.COMPLETED
    done.save()
    cora = by_email(rows(world.ada, rated.programme))[world.cora.email]
    assert cora.caseload == 4


def test_coaches_listed_on_the_programme_without_engagements_have_a_row(world, coachdev):
    listed = UserFactory(email="newcoach@a.test", given_name="Nora")
    MembershipFactory(user=listed, organisation=world.district, role=Role.COACH)
    coachdev.programme.coaches.add(listed)
    row = by_email(rows(world.ada, coachdev.programme))["newcoach@a.test"]
    assert row.caseload == 0
    assert row.responsiveness.asked == 0
    assert row.responsiveness.median_days is None


def test_the_feedback_trend_shows_the_latest_mean_its_change_or_withheld(world, rated):
    trends = {
        world.cora.pk: Trend((TrendPoint("2026-Q3", 3.0), TrendPoint("2026-Q4", 3.5))),
        rated.carl.pk: Trend((TrendPoint("2026-Q4", None),)),
    }
    with mock.patch.object(overview, "feedback_trends", return_value=trends) as called:
        found = by_email(rows(world.ada, rated.programme))
    assert called.call_args.args[2] == rated.programme
    assert found[world.cora.email].feedback_status == "shown"
    assert found[world.cora.email].feedback_latest == 3.5
    assert found[world.cora.email].feedback_change == 0.5
    assert found[rated.carl.email].feedback_status == "withheld"
    assert found[rated.carl.email].feedback_latest is None


def test_a_criterion_of_an_adapted_rubric_gets_its_own_column(world, coachdev):
    profile_score(coachdev.development, world.cora, coachdev.lola, "lead", {"equity-lens": 4})
    found = overview.coach_overview(world.ada, coachdev.programme)
    assert [f.key for f in found.functions] == [*FUNCTIONS, "equity-lens"]
    assert found.functions[-1].title == "Equity lens"


# --- Search, filters, order, paging ---------------------------------------------------------------


def test_search_by_name_or_email(world, rated):
    assert [r.coach for r in rows(world.ada, rated.programme, query="carl@")] == [rated.carl]
    assert [r.coach for r in rows(world.ada, rated.programme, query=world.cora.given_name)] == [
        world.cora
    ]
    assert rows(world.ada, rated.programme, query="nobody-like-this") == []


def test_filters_keep_coaches_with_overdue_questions_or_without_a_lead_assessment(world, rated):
    assert [r.coach for r in rows(world.ada, rated.programme, filter_by="overdue")] == [world.cora]
    assert [r.coach for r in rows(world.ada, rated.programme, filter_by="no-lead")] == [rated.carl]
    assert [r.coach for r in rows(world.ada, rated.programme, filter_by="no-self")] == [rated.carl]


def test_order_by_any_column_either_way_with_unknowns_last(world, rated):
    cora, carl = world.cora, rated.carl
    assert [r.coach for r in rows(world.ada, rated.programme, sort="-caseload")] == [cora, carl]
    assert [r.coach for r in rows(world.ada, rated.programme, sort="caseload")] == [carl, cora]
    assert [r.coach for r in rows(world.ada, rated.programme, sort="-median")] == [cora, carl]
    assert [r.coach for r in rows(world.ada, rated.programme, sort="within")] == [cora, carl]
    assert [r.coach for r in rows(world.ada, rated.programme, sort="-overdue")] == [cora, carl]
    # Carl has no lead level: last whichever the direction
    assert [r.coach for r in rows(world.ada, rated.programme, sort="lead.relationships")] == [
        cora,
        carl,
    ]
    assert [r.coach for r in rows(world.ada, rated.programme, sort="-lead.relationships")] == [
        cora,
        carl,
    ]


def test_an_unknown_order_or_filter_is_refused_naming_the_field(world, coachdev):
    from coachloop.lib.errors import DomainError

    with pytest.raises(DomainError) as refused:
        overview.coach_overview(world.ada, coachdev.programme, sort="sideways")
    assert refused.value.status == 422
    assert "sort" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        overview.coach_overview(world.ada, coachdev.programme, filter_by="happy")
    assert "filter" in refused.value.errors


def test_fifty_coaches_a_page_by_name_and_by_a_computed_column(world, coachdev):
    add_coaches(world, coachdev, 51)
    first = overview.coach_overview(world.ada, coachdev.programme)
    assert first.count == 53
    assert len(first.rows) == 50
    second = overview.coach_overview(world.ada, coachdev.programme, page=2)
    assert len(second.rows) == 3
    assert not {r.coach for r in first.rows} & {r.coach for r in second.rows}
    by_caseload = overview.coach_overview(world.ada, coachdev.programme, sort="-caseload")
    assert by_caseload.rows[0].coach == world.cora
    assert by_caseload.count == 53
    assert len(by_caseload.rows) == 50


# --- Who may open it -----------------------------------------------------------------------------


def test_the_page_is_for_programme_managers_only(world, coachdev, signed_in):
    url = f"/programmes/{coachdev.programme.pk}/coaches/"
    assert signed_in(world.ada).get(url).status_code == 200
    assert signed_in(world.cora).get(url).status_code == 403  # sees the programme, not its coaches
    assert signed_in(world.tom).get(url).status_code == 403  # a coachee in it
    assert signed_in(world.sam).get(url).status_code == 404  # no part in it
    assert signed_in(world.bea).get(url).status_code == 404
    assert signed_in(world.ada).get("/programmes/999999/coaches/").status_code == 404
    export = f"/programmes/{coachdev.programme.pk}/coaches/export/?format=csv"
    assert signed_in(world.cora).get(export).status_code == 403
    assert signed_in(world.bea).get(export).status_code == 404


def test_the_page_lists_the_coaches_with_links_to_their_development(world, rated, signed_in):
    page = signed_in(world.ada).get(f"/programmes/{rated.programme.pk}/coaches/").content.decode()
    assert "Coaches of Instructional coaching" in page
    assert f'href="/programmes/{rated.programme.pk}/coach-feedback/"' in page  # trends across
    assert f'href="/coaches/{world.cora.pk}/"' in page
    assert f'href="/coaches/{rated.carl.pk}/"' in page
    assert "Developing and maintaining coaching relationships" in page
    assert "2 coaches" in page
    assert "<strong>3</strong>" in page  # Lola's level for relationships


def test_the_search_answers_htmx_with_the_results_only(world, rated, signed_in):
    client = signed_in(world.ada)
    response = client.get(
        f"/programmes/{rated.programme.pk}/coaches/?q=carl%40a.test", HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "carl@a.test" in fragment
    assert world.cora.email not in fragment


def test_the_column_headings_order_the_list_and_reverse_it(world, rated, signed_in):
    client = signed_in(world.ada)
    base = f"/programmes/{rated.programme.pk}/coaches/"
    page = client.get(base + "?q=a").content.decode()
    assert 'href="?sort=-caseload&amp;q=a"' in page  # most engagements first
    page = client.get(base + "?sort=-caseload").content.decode()
    assert 'aria-sort="descending"' in page
    assert 'href="?sort=caseload"' in page  # the heading now reverses it
    page = client.get(base + "?sort=caseload").content.decode()
    assert '<option value="caseload" selected>Active engagements, ascending</option>' in page
    assert page.index("carl@a.test") < page.index(world.cora.email)


def test_a_bad_order_on_the_page_says_so_and_still_lists(world, rated, signed_in):
    response = signed_in(world.ada).get(f"/programmes/{rated.programme.pk}/coaches/?sort=up")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Order by one of" in page
    assert "carl@a.test" in page


def test_empty_states(world, coachdev, signed_in):
    client = signed_in(world.ada)
    page = client.get(f"/programmes/{coachdev.programme.pk}/coaches/?q=zzzz").content.decode()
    assert "No coach matches" in page
    empty = ProgrammeFactory(organisation=world.district, name="Empty")
    empty.administrators.add(world.ada)
    page = client.get(f"/programmes/{empty.pk}/coaches/").content.decode()
    assert "This programme has no coaches yet." in page


# --- Exports -------------------------------------------------------------------------------------


def parse_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_exports_hold_exactly_the_filtered_rows_of_every_page(world, rated, signed_in):
    add_coaches(world, rated, 50)
    client = signed_in(world.ada)
    base = f"/programmes/{rated.programme.pk}/coaches/export/"
    response = client.get(base + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="coaches-{rated.programme.pk}-'
    )
    table = parse_csv(response)
    header = table[0]
    assert header[:3] == ["Coach", "Email", "Active engagements"]
    assert header[3] == "Developing and maintaining coaching relationships (self)"
    assert header[4] == "Developing and maintaining coaching relationships (lead)"
    assert "Median response (school days)" in header
    assert len(table) == 1 + 52  # every page
    cora = next(r for r in table if r[1] == world.cora.email)
    assert cora[2] == "5"
    assert cora[3:5] == ["2", "3"]
    assert cora[header.index("Overdue questions")] == "1"
    assert cora[header.index("Answered within agreement (%)")] == "50"
    assert cora[header.index("Latest lead assessment")] == "2026-09-20"
    assert cora[header.index("Feedback status")] == "none"

    # the same rows as the page with the same search, filter and order
    response = client.get(base + "?format=xlsx&filter=overdue&sort=-caseload")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    page = overview.coach_overview(
        world.ada, rated.programme, filter_by="overdue", sort="-caseload", per_page=None
    )
    assert [v[1] for v in values[1:]] == [r.coach.email for r in page.rows]
    assert values[1][1] == world.cora.email
    assert len(values) == 1 + 51  # Cora and the 50 extra coaches have an overdue question

    searched = parse_csv(client.get(base + "?format=csv&q=carl%40a.test"))
    assert [r[1] for r in searched[1:]] == [rated.carl.email]
    assert AuditEvent.objects.filter(action="coach_overview.export").count() == 3


def test_an_export_in_an_unknown_format_or_order_is_refused(world, coachdev, signed_in):
    client = signed_in(world.ada)
    base = f"/programmes/{coachdev.programme.pk}/coaches/export/"
    bad = client.get(base + "?format=pdf")
    assert bad.status_code == 400
    assert "Choose CSV or XLSX" in bad.content.decode()
    assert client.get(base + "?format=csv&sort=sideways").status_code == 422


def test_a_formula_in_a_name_is_exported_as_text(world, coachdev, signed_in):
    coachdev.carl.given_name = "=HYPERLINK(evil)"
    coachdev.carl.save()
    table = parse_csv(
        signed_in(world.ada).get(
            f"/programmes/{coachdev.programme.pk}/coaches/export/?format=csv&q=carl%40a.test"
        )
    )
    assert table[1][0].startswith("'=")


# --- Query counts ---------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


@pytest.mark.parametrize(
    "path",
    [
        "/programmes/{pk}/coaches/",
        "/programmes/{pk}/coaches/?sort=-median",
        "/programmes/{pk}/coaches/?filter=no-lead&sort=lead.relationships",
        "/programmes/{pk}/coaches/export/?format=csv&sort=-overdue",
        "/api/programmes/{pk}/coaches?sort=-caseload",
    ],
)
def test_the_overview_takes_as_many_queries_for_12_coaches_as_for_2(world, rated, signed_in, path):
    client = signed_in(world.ada)
    url = path.format(pk=rated.programme.pk)
    if url.startswith("/api/"):
        from coachloop.testing.api import Api

        api = Api(client, world.ada, read_only=True)
        client.defaults.update(api.headers)
    count_queries(client, url)  # warm the session
    small = count_queries(client, url)
    add_coaches(world, rated, 10)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries for 2 coaches, {large} for 12"
    if "export" not in url and not url.startswith("/api/"):
        assert client.get(url).content.decode().count("extra0") >= 10 or "filter" in url


# --- Navigation -----------------------------------------------------------------------------------


def test_the_nav_offers_coaches_to_administrators_and_my_development_to_developed_coaches(
    world, coachdev, signed_in
):
    def nav(user):
        return signed_in(user).get("/dashboard/").content.decode()

    ada, cora, carl, tom = nav(world.ada), nav(world.cora), nav(coachdev.carl), nav(world.tom)
    assert 'href="/coaches/"' in ada
    assert 'href="/coaches/me/"' not in ada
    assert 'href="/coaches/me/"' in cora
    assert 'href="/coaches/"' not in cora
    for page in (carl, tom):
        assert 'href="/coaches/"' not in page
        assert 'href="/coaches/me/"' not in page


def test_the_coaches_entry_lists_the_managed_programmes(world, coachdev, signed_in):
    page = signed_in(world.ada).get("/coaches/").content.decode()
    assert f'href="/programmes/{coachdev.programme.pk}/coaches/"' in page
    assert f'href="/programmes/{coachdev.development_programme.pk}/coaches/"' in page
    found = signed_in(world.ada).get("/coaches/?q=development").content.decode()
    assert f'href="/programmes/{coachdev.programme.pk}/coaches/"' not in found
    assert "You manage no programmes" in signed_in(world.cora).get("/coaches/").content.decode()


def test_the_coaches_entry_goes_straight_to_the_only_programme(world, signed_in):
    # in `world` alone Ada manages one programme
    response = signed_in(world.ada).get("/coaches/")
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{world.engagement.programme.pk}/coaches/"


def test_the_programme_page_links_to_its_coach_overview_for_managers(world, coachdev, signed_in):
    url = f"/programmes/{coachdev.programme.pk}/"
    link = f'href="/programmes/{coachdev.programme.pk}/coaches/"'
    assert link in signed_in(world.ada).get(url).content.decode()
    assert link not in signed_in(world.cora).get(url).content.decode()
