"""Coaching the coaches in the demo district (coachloop.demo.coaches): the school-based coaching
programme and its caseloads, coach development with lead coaches, messages and questions stored
as the services store them, school calendars, and coaching-experience feedback rounds."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.coaches.models import FeedbackReply, FeedbackRound
from coachloop.demo import coaches as demo_coaches
from coachloop.demo.coaches import COACH_SIZES, DEVELOPMENT_NAME, PROGRAMME_NAME
from coachloop.demo.generator import DEMO_DOMAIN, DEMO_PASSWORD, demo_accounts, generate
from coachloop.engagements.models import Engagement, EngagementStatus, ParticipantRole, Programme
from coachloop.messaging import schooldays
from coachloop.messaging.models import Contact, ContactMethod, Message, Question, Thread
from coachloop.organisations.models import Holiday, Membership, Role, SchoolCalendar
from coachloop.plans.models import Plan
from coachloop.rubrics.models import CriterionRating, Perspective, RubricScore
from coachloop.surveys.models import Answer, Invitation, Response
from coachloop.surveys.scoring import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    generate(size="demo", seed=2026)


def persona(name: str) -> User:
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def school_programme() -> Programme:
    return Programme.objects.get(name__startswith=PROGRAMME_NAME)


def development_programme() -> Programme:
    return Programme.objects.get(name__startswith=DEVELOPMENT_NAME)


def coached_by(coach: User, programme: Programme) -> Any:
    return Engagement.objects.filter(
        programme=programme, participants__user=coach, participants__role=ParticipantRole.COACH
    )


def test_six_coaches_coach_caseloads_of_teachers_admin_administers(demo: None) -> None:
    programme = school_programme()
    assert programme.playbook is not None
    assert programme.playbook.key == "instructional-coaching"
    assert programme.administrators.filter(email=f"admin@{DEMO_DOMAIN}").exists()
    coaches = list(programme.coaches.order_by("pk"))
    assert len(coaches) == COACH_SIZES["demo"].coaches == 6
    assert persona("coach") in coaches
    teachers: list[int] = []
    for coach in coaches:
        assert Membership.objects.filter(user=coach, role=Role.COACH).exists()
        caseload = coached_by(coach, programme)
        assert 4 <= caseload.filter(status=EngagementStatus.ACTIVE).count() <= 7
        for engagement in caseload:
            roles = Counter(engagement.participants.values_list("role", flat=True))
            assert roles == {"coach": 1, "coachee": 1, "sponsor": 1}
            teacher = engagement.participants.get(role=ParticipantRole.COACHEE).user
            assert teacher.memberships.filter(role=Role.TEACHER).exists()
            teachers.append(teacher.pk)
    # each teacher once, and none coached in another programme
    assert len(teachers) == len(set(teachers))
    elsewhere = Engagement.objects.exclude(programme=programme).filter(
        participants__user__in=teachers
    )
    assert not elsewhere.exists()


def test_each_coach_is_developed_by_a_lead_coach_with_profile_and_growth_plan(
    demo: None,
) -> None:
    programme = development_programme()
    lead, coach = persona("lead"), persona("coach")
    assert programme.playbook is not None
    assert programme.playbook.key == "coach-development"
    assert programme.administrators.filter(email=f"admin@{DEMO_DOMAIN}").exists()
    coaches = set(school_programme().coaches.all())
    developed = Engagement.objects.filter(programme=programme)
    assert developed.count() == len(coaches)
    assert {e.participants.get(role="coachee").user for e in developed} == coaches
    leads = {e.participants.get(role="coach").user for e in developed}
    assert len(leads) == COACH_SIZES["demo"].leads
    assert lead in leads
    assert coach in policy.coaches_led_by(lead)
    assert set(policy.coaches_followed_by(persona("admin"))) >= coaches

    scores = RubricScore.objects.filter(about__isnull=False)
    assert scores.count() >= 2 * len(coaches)
    for s in scores.select_related("engagement"):
        roles = dict(s.engagement.participants.values_list("role", "user"))
        assert s.about_id == roles["coachee"]
        assert s.rubric_key == "practice-profile"
        assert s.visibility == "programme"
        assert s.author_id == roles["coach" if s.perspective == Perspective.LEAD else "coachee"]
        ratings = list(s.ratings.all())
        assert sorted(r.criterion_key for r in ratings) == sorted(
            c["key"] for c in s.rubric["criteria"]
        )
        assert all(1 <= r.level <= 4 for r in ratings)
        if s.perspective == Perspective.LEAD:
            assert s.observed_on is not None
            assert s.engagement.starts_on <= s.observed_on <= timezone.localdate(s.created_at)
            assert all(r.evidence for r in ratings)
    # coach@ has two rounds of each, and the programme administrator reads them
    mine = scores.filter(about=coach)
    assert Counter(mine.values_list("perspective", flat=True)) == {"self": 2, "lead": 2}
    assert set(policy.visible(persona("admin"), RubricScore).filter(about=coach)) == set(mine)
    assert not policy.visible(persona("teacher"), RubricScore).filter(about=coach).exists()
    # growth: the second lead rating is higher than the first, over the coaches rated twice
    change = 0
    for about in scores.values_list("about", flat=True).distinct():
        leads_of = list(scores.filter(about=about, perspective="lead").order_by("created_at"))
        if len(leads_of) == 2:
            levels = [sum(r.level for r in s.ratings.all()) for s in leads_of]
            change += levels[1] - levels[0]
    assert change > 0
    # a coach still waits for their lead's first observation
    rated = scores.filter(perspective="lead").values_list("about", flat=True)
    assert len(set(rated)) < len(coaches)
    # the growth plan: no approval, a draft with goals; action steps for the coach
    plan = Plan.objects.get(engagement__programme=programme, engagement__participants__user=coach)
    assert plan.status == "draft"
    assert plan.versions.count() == plan.number >= 1
    assert plan.versions.get(number=plan.number).goals
    steps = coached_by(lead, programme).get(participants__user=coach).action_steps.all()
    assert Counter(steps.values_list("status", flat=True)) == {"mastered": 1, "current": 1}


def test_questions_are_stored_as_the_services_store_them(demo: None) -> None:
    district_calendar = SchoolCalendar.objects.get(organisation__kind="district")
    assert district_calendar.weekdays == [1, 2, 3, 4, 5]
    holidays = Holiday.objects.filter(organisation=district_calendar.organisation)
    assert holidays.filter(name="Winter break").count() >= 10
    assert all(h.date.isoweekday() <= 5 for h in holidays)
    questions = Question.objects.select_related("engagement__organisation", "message", "answer")
    assert questions.count() >= 60
    now = timezone.now()
    calendars: dict[int, schooldays.Calendar] = {}
    for q in questions:
        engagement = q.engagement
        calendar = calendars.setdefault(
            engagement.organisation_id, schooldays.calendar_for(engagement.organisation)
        )
        assert calendar.holidays == frozenset(holidays.values_list("date", flat=True))
        roles = dict(engagement.participants.values_list("role", "user"))
        assert q.asked_by_id == q.message.author_id == roles["coachee"]
        assert q.asked_at == q.message.created_at <= now
        assert q.thread_id == q.message.thread_id
        assert q.response_days == engagement.agreed_response_days
        assert q.due_at == schooldays.add_working(
            q.asked_at, q.response_days * schooldays.DAY, calendar
        )
        if q.answered_at is None:
            assert q.working_seconds is None
            assert q.within_agreement is None
            # nothing from the coach in the thread after it, or it would be answered
            assert not Message.objects.filter(
                thread=q.thread, author_id=roles["coach"], created_at__gte=q.asked_at
            ).exists()
            continue
        assert q.asked_at <= q.answered_at <= now
        assert q.answered_by_id == roles["coach"]
        assert q.working_seconds == schooldays.working_seconds(q.asked_at, q.answered_at, calendar)
        assert q.within_agreement == (q.answered_at <= q.due_at)
        if q.answer is not None:  # the coach's first message in the thread after it
            assert q.answer.thread_id == q.thread_id
            assert q.answer.created_at == q.answered_at
            assert q.answer == (
                Message.objects.filter(
                    thread=q.thread, author_id=roles["coach"], created_at__gte=q.asked_at
                )
                .order_by("created_at", "id")
                .first()
            )
        else:
            assert q.answered_by_contact is not None
            assert q.answered_by_contact.occurred_at == q.answered_at
    answered = questions.filter(answered_at__isnull=False)
    assert answered.filter(within_agreement=True).exists()
    assert answered.filter(within_agreement=False).exists()
    assert answered.filter(answered_by_contact__isnull=False).exists()
    # open ones, some overdue; coach@ has one of each
    coach = persona("coach")
    mine = questions.filter(engagement__in=coached_by(coach, school_programme()))
    assert mine.filter(answered_at__isnull=True, due_at__lt=now).exists()
    assert mine.filter(answered_at__isnull=True, due_at__gt=now).exists()
    assert mine.filter(answered_at__isnull=False).exists()
    # threads keep their counts; check-ins by every method
    for thread in Thread.objects.annotate(n=Count("messages")):
        assert thread.message_count == thread.n
        latest = thread.messages.order_by("-created_at").values_list("created_at", flat=True)
        assert thread.last_message_at == latest.first()
    assert set(Contact.objects.values_list("method", flat=True)) == set(ContactMethod.values)
    assert not Contact.objects.filter(occurred_at__gt=now).exists()
    # the coach sees their own engagement's messages; the sponsor and the administrator do not
    theirs = Thread.objects.filter(engagement__in=coached_by(coach, school_programme())).first()
    assert theirs is not None
    assert policy.threads_visible_to(coach).filter(pk=theirs.pk).exists()
    for other in ("leader", "admin"):
        assert not policy.threads_visible_to(persona(other)).filter(pk=theirs.pk).exists()


def test_feedback_rounds_are_stored_as_respondents_submit(demo: None) -> None:
    programme = school_programme()
    rounds = FeedbackRound.objects.select_related("administration__version__instrument")
    coaches = list(programme.coaches.all())
    per_coach = Counter(r.coach_id for r in rounds if r.administration.closed_at is not None)
    assert set(per_coach) == {c.pk for c in coaches}
    assert set(per_coach.values()) <= {2, 3}
    withheld = shown = 0
    for r in rounds:
        administration = r.administration
        spec = administration.spec
        assert r.programme == programme
        assert administration.version.instrument.key == "coaching-experience"
        assert administration.subject_id == r.coach_id
        assert administration.engagement_id is None
        assert administration.roles == ["participant"]
        assert r.starts_on == administration.opens_on
        assert r.ends_on == administration.closes_on
        invitations = Invitation.objects.filter(administration=administration)
        responses = Response.objects.filter(administration=administration)
        assert administration.invited_count == invitations.count() > 0
        assert administration.response_count == responses.count()
        assert invitations.filter(used=True).count() == responses.count()
        coachees = set(
            Engagement.objects.filter(programme=programme, participants__user=r.coach)
            .filter(participants__role="coachee")
            .values_list("participants__user", flat=True)
        )
        assert set(invitations.values_list("user", flat=True)) <= coachees
        for response in responses:
            values = dict(Answer.objects.filter(response=response).values_list("item", "value"))
            assert response.role == "participant"
            assert response.domains == score(spec, "participant", values).domains
        if administration.closed_at is not None:
            if responses.count() < spec.k:
                withheld += 1
            else:
                shown += 1
    assert 0 < withheld < shown
    assert rounds.filter(administration__closed_at__isnull=True).exists()
    # replies: by the round's coach, to closed rounds with results to show
    replies = FeedbackReply.objects.select_related("round__administration")
    assert replies.filter(round__coach=persona("coach")).exists()
    for reply in replies:
        assert reply.author_id == reply.round.coach_id
        assert reply.round.administration.closed_at is not None
        assert reply.round.administration.response_count >= reply.round.administration.spec.k


def test_coach_and_admin_find_the_new_pages_full(demo: None, client: Any) -> None:
    coach, admin, lead = persona("coach"), persona("admin"), persona("lead")
    assert f"lead@{DEMO_DOMAIN}" in dict(demo_accounts())
    assert client.login(username=lead.email, password=DEMO_PASSWORD)
    assert Authenticator.objects.filter(user=lead).exists()  # a coach: a second factor
    client.force_login(coach)
    page = client.get(reverse("coach_development", args=[coach.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert lead.full_name in text  # the lead coach
    assert "Proficient" in text or "Developing" in text  # profile ratings
    assert "overdue" in text.lower()  # responsiveness
    client.force_login(admin)
    page = client.get(reverse("coach_overview", args=[school_programme().pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for other in school_programme().coaches.all():
        assert other.email in text


def snapshot(seed: int, now: Any) -> dict[str, list[Any]]:
    with transaction.atomic():
        generate(size="demo", seed=seed, now=now)
        rows = {
            "coaches": sorted(school_programme().coaches.values_list("email", flat=True)),
            "questions": list(
                Question.objects.order_by("engagement__title", "asked_at").values_list(
                    "engagement__title", "asked_at", "due_at", "answered_at", "working_seconds"
                )
            ),
            "profile": list(
                CriterionRating.objects.filter(score__about__isnull=False)
                .order_by("score__about__email", "score__created_at", "criterion_key")
                .values_list("score__about__email", "score__perspective", "level", "evidence")
            ),
            "feedback": list(
                Answer.objects.filter(administration__subject__isnull=False)
                .order_by("administration__title", "item", "value")
                .values_list("administration__title", "item", "value")
            ),
        }
        transaction.set_rollback(True)
    return rows


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(db: None) -> None:
    now = timezone.now()
    first, again, other = snapshot(7, now), snapshot(7, now), snapshot(8, now)
    assert first == again
    for key in first:
        assert first[key], key
        assert first[key] != other[key], key


def test_sizes_are_a_parameter_new_coach_accounts_fill_the_programme(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The large size runs the same code with more coaches than the district has: more new
    accounts, more lead coaches, each leading coaches in turn."""
    bigger = dataclasses.replace(COACH_SIZES["demo"], coaches=9, leads=3)
    monkeypatch.setitem(demo_coaches.COACH_SIZES, "demo", bigger)
    generate(size="demo", seed=2026)
    programme = school_programme()
    assert programme.coaches.count() == 9
    leads = User.objects.filter(
        participations__engagement__programme=development_programme(),
        participations__role="coach",
    )
    assert Counter(leads.values_list("email", flat=True)).most_common()[-1][1] == 3
    assert COACH_SIZES["large"].coaches == 150
