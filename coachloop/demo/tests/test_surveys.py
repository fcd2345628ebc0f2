"""Leadership for learning in the demo district: surveys stored exactly as respondents' submissions
are, growth to see, and school improvement plans with target areas, action steps and check-ins."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.demo.generator import DEMO_DOMAIN, generate
from coachloop.demo.surveys import LFL_KEY, rounds_for
from coachloop.engagements.models import Engagement, ParticipantRole, StepStatus
from coachloop.improvement.models import CheckIn, ImprovementPlan, SchoolActionStep, TargetArea
from coachloop.organisations.models import Membership, Role
from coachloop.surveys.models import Administration, Answer, Comment, Invitation, Response
from coachloop.surveys.scoring import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    generate(size="demo", seed=2026)


def persona(name: str) -> User:
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def lfl_administrations() -> Any:
    """The Leadership for learning surveys (not the coaching-experience rounds about each coach,
    coachloop.demo.coaches, tested in test_coaches)."""
    return Administration.objects.filter(version__instrument__key=LFL_KEY)


def lfl() -> Any:
    return Engagement.objects.filter(playbook_version__playbook__key=LFL_KEY)


def test_four_schools_each_with_an_engagement_and_four_closed_surveys(demo: None) -> None:
    engagements = lfl()
    assert engagements.count() == 4
    for engagement in engagements.prefetch_related("participants"):
        roles = Counter(p.role for p in engagement.participants.all())
        assert roles == {
            ParticipantRole.COACH: 1,
            ParticipantRole.COACHEE: 2,
            ParticipantRole.DISTRICT_REP: 1,
        }
    schools = (
        lfl_administrations()
        .values("organisation")
        .annotate(
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            open=Count("pk", filter=Q(closed_at__isnull=True)),
        )
    )
    assert sorted(row["closed"] for row in schools) == [4, 4, 4, 4]
    assert sorted(row["open"] for row in schools) == [0, 0, 0, 1]


def test_each_closed_survey_is_a_re_administration_of_the_one_before(demo: None) -> None:
    today = timezone.localdate()
    rounds = rounds_for(today)
    for school in lfl_administrations().values_list("organisation", flat=True).distinct():
        chain = list(
            lfl_administrations()
            .filter(organisation=school, closed_at__isnull=False)
            .order_by("opens_on")
        )
        assert [a.opens_on for a in chain] == [r.opens_on for r in rounds]
        assert chain[0].previous is None
        assert [a.previous_id for a in chain[1:]] == [a.pk for a in chain[:-1]]
        assert all(a.closes_on < today for a in chain)
        # the current year's pair belongs to the school's engagement
        assert chain[-1].engagement is not None
        assert chain[-2].engagement_id == chain[-1].engagement_id


def test_invitations_one_per_staff_member_and_used_as_many_as_answered(demo: None) -> None:
    for administration in lfl_administrations().all():
        invitations = Invitation.objects.filter(administration=administration)
        staff = Membership.objects.filter(
            organisation=administration.organisation,
            role__in=[Role.SCHOOL_LEADER, Role.TEACHER, Role.STAFF],
        )
        assert invitations.count() == staff.count() == administration.invited_count
        assert invitations.values("user").distinct().count() == staff.count()
        used = invitations.filter(used=True).count()
        responses = Response.objects.filter(administration=administration)
        assert used == responses.count() == administration.response_count
        assert administration.invited_count >= administration.response_count
        # every role answered no more often than it was asked
        asked = Counter(invitations.filter(used=True).values_list("role", flat=True))
        answered = Counter(responses.values_list("role", flat=True))
        assert asked == answered
        if administration.is_closed:
            assert 0.65 <= used / administration.invited_count <= 0.86
    assert len(set(Invitation.objects.values_list("token_hash", flat=True))) == (
        Invitation.objects.count()
    )


def test_waves_number_blocks_of_k_responses(demo: None) -> None:
    for administration in lfl_administrations().all():
        k = administration.spec.k
        waves = Counter(
            w
            for w in Response.objects.filter(administration=administration).values_list(
                "wave", flat=True
            )
            if w is not None
        )
        count = administration.response_count
        assert sorted(waves) == list(range((count - 1) // k + 1))
        assert all(waves[w] == k for w in range(count // k))
        assert sum(waves.values()) == count


def test_answers_agree_with_each_response_s_domain_sums(demo: None) -> None:
    administration = lfl_administrations().filter(closed_at__isnull=False).first()
    assert administration is not None
    spec = administration.spec
    domain_of = spec.domain_of()
    answers: dict[Any, dict[str, int | None]] = defaultdict(dict)
    for row in Answer.objects.filter(administration=administration).values(
        "response_id", "role", "item", "value", "complete"
    ):
        answers[row["response_id"]][row["item"]] = row["value"]
    responses = list(Response.objects.filter(administration=administration))
    assert responses
    for response in responses:
        values = answers[response.pk]
        # stored exactly as the respondent's submission stores them
        scored = score(spec, response.role, values)
        assert response.domains == scored.domains
        stored = set(
            Answer.objects.filter(response=response).values_list("item", "value", "complete")
        )
        assert stored == set(scored.answers)
        assert {domain_of[item] for item in values} == set(response.domains)
        assert set(values) == {i.key for i in spec.items_for(response.role)}
    assert (
        Answer.objects.filter(administration=administration)
        .exclude(role__in=["teacher", "staff", "leader"])
        .count()
        == 0
    )
    # a few "don't know"
    assert Answer.objects.filter(value__isnull=True).exists()
    assert Answer.objects.filter(value__isnull=True, complete=True).count() == 0


def test_answers_copy_their_response_s_administration_and_role(demo: None) -> None:
    assert Answer.objects.exists()
    assert not Answer.objects.exclude(administration=F("response__administration")).exists()
    assert not Answer.objects.exclude(role=F("response__role")).exists()


def test_spring_is_better_than_autumn_and_domains_differ(demo: None) -> None:
    means: dict[int | None, float] = {}
    for administration in lfl_administrations().filter(closed_at__isnull=False):
        values = [
            v
            for v in Answer.objects.filter(administration=administration).values_list(
                "value", flat=True
            )
            if v is not None
        ]
        means[administration.pk] = sum(values) / len(values)
    better = 0
    chains = 0
    for administration in lfl_administrations().filter(
        closed_at__isnull=False, previous__isnull=False
    ):
        chains += 1
        better += means[administration.pk] > means[administration.previous_id]
    assert better > chains / 2
    by_domain: dict[str, list[float]] = defaultdict(list)
    first = lfl_administrations().filter(closed_at__isnull=False).first()
    assert first is not None
    for domain, (total, n, _asked) in (
        (d, v) for r in Response.objects.filter(administration=first) for d, v in r.domains.items()
    ):
        if n:
            by_domain[domain].append(total / n)
    averages = [sum(v) / len(v) for v in by_domain.values()]
    assert max(averages) - min(averages) > 0.2


def test_comments_some_for_every_closed_survey_and_apart_from_responses(demo: None) -> None:
    for administration in lfl_administrations().filter(closed_at__isnull=False):
        comments = Comment.objects.filter(administration=administration)
        assert comments.exists()
        assert set(comments.values_list("question", flat=True)) <= {"strength", "change"}
    assert {f.name for f in Comment._meta.get_fields()} == {
        "id",
        "administration",
        "question",
        "text",
    }


def test_the_open_survey_has_enough_answers_for_live_results(demo: None) -> None:
    live = lfl_administrations().get(closed_at__isnull=True)
    today = timezone.localdate()
    assert live.is_open_on(today)
    assert live.previous is not None
    assert live.previous.is_closed
    assert live.response_count >= 2 * live.spec.k


def test_the_leader_the_coach_and_district_see_the_school_s_surveys(demo: None) -> None:
    leader, coach, district = persona("leader"), persona("coach"), persona("district")
    engagement = lfl().get(participants__user=leader, participants__role=ParticipantRole.COACHEE)
    school = engagement.organisation
    assert engagement.participants.filter(user=coach, role=ParticipantRole.COACH).exists()
    assert lfl_administrations().filter(organisation=school).count() == 5
    for user in (leader, coach, district, persona("admin")):
        assert policy.administrations_visible_to(user).filter(organisation=school).count() == 5
    # a teacher at the school sees none; a leader of another school (in no peer team, so with
    # no role at the district) sees only their own school's
    assert not policy.administrations_visible_to(persona("teacher")).exists()
    other = (
        User.objects.filter(
            memberships__role=Role.SCHOOL_LEADER,
            memberships__organisation__in=lfl().exclude(pk=engagement.pk).values("organisation"),
        )
        .exclude(memberships__organisation=school.parent)
        .first()
    )
    assert other is not None
    visible = policy.administrations_visible_to(other)
    assert visible.exists()
    assert not visible.filter(organisation=school).exists()


def test_steps_done_through_the_resurvey(demo: None) -> None:
    for engagement in lfl():
        status = dict(engagement.steps.values_list("step_key", "status"))
        for key in ("agreement", "survey", "target-areas", "action-steps", "resurvey"):
            assert status[key] == StepStatus.DONE, key


def test_improvement_plans_with_targets_actions_and_check_ins_at_half_the_schools(
    demo: None,
) -> None:
    plans = ImprovementPlan.objects.annotate(n=Count("goals"))
    assert plans.count() == 4
    assert {p.n for p in plans} == {3}
    areas = TargetArea.objects.all()
    assert areas.values("organisation").distinct().count() == 2
    for area in areas.select_related("administration", "engagement"):
        assert area.administration.organisation_id == area.organisation_id
        assert area.engagement.organisation_id == area.organisation_id
        assert area.domain in {d.key for d in area.administration.spec.domains}
    steps = SchoolActionStep.objects.select_related("goal", "target_area")
    assert steps.count() == 2 * areas.count()
    for step in steps:
        assert step.goal is not None
        assert step.goal.organisation_id == step.organisation_id
        assert step.target_area.engagement_id == step.engagement_id
    assert CheckIn.objects.count() > 0
    assert set(CheckIn.objects.values_list("progress", flat=True)) >= {"on_track"}
    leader = persona("leader")
    assert policy.school_action_steps_visible_to(leader).exists()


def test_the_same_seed_gives_the_same_surveys() -> None:
    from django.db import transaction

    def snapshot() -> tuple[Any, ...]:
        with transaction.atomic():
            generate(size="demo", seed=5, now=NOW)
            rows = (
                Counter(
                    Answer.objects.values_list("administration__title", "role", "item", "value")
                ),
                sorted(Comment.objects.values_list("administration__title", "question", "text")),
                sorted(Invitation.objects.values_list("administration__title", "email", "used")),
            )
            transaction.set_rollback(True)
        return rows

    assert snapshot() == snapshot()


NOW = timezone.now()
