"""Every kind of confidential content of the playbook issue (form answers, resources, plans,
rubric scores, portfolio entries, meeting minutes, anonymous feedback results) obeys the same
visibility rule as notes: persona x visibility level, through the policy querysets and the
object check. Pages, API and exports read through these same querysets; their own tests check
what they show."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.engagements.models import FormResponse, Resource
from coachloop.feedback.models import FeedbackCollection
from coachloop.meetings.models import Meeting
from coachloop.plans.models import Plan
from coachloop.portfolios.models import PortfolioEntry, PortfolioRevision
from coachloop.rubrics.models import RubricScore

P, T, S, G = Visibility.PRIVATE, Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME
CAN_READ_AUTHORED_BY_CORA = {
    "cora": {P, T, S, G},
    "tom": {T, S, G},
    "lena": {S, G},
    "dan": {S, G},
    "ada": {G},
    "sam": set(),
    "tina": set(),
    "bea": set(),
    "ben": set(),
}


def make(kind, world, visibility):
    e, cora = world.engagement, world.cora
    common = {
        "organisation": e.organisation,
        "engagement": e,
        "author": cora,
        "visibility": visibility,
    }
    if kind == "form":
        return FormResponse.objects.create(
            form_key="debrief", title="Debrief", data={"worked": "x"}, **common
        )
    if kind == "resource":
        return Resource.objects.create(title="Reading", url="https://example.org/", **common)
    if kind == "plan":
        return Plan.objects.create(**common)
    if kind == "score":
        return RubricScore.objects.create(
            rubric_key="performance", rubric={}, subject="Practice", feedback="Good", **common
        )
    if kind == "portfolio":
        entry = PortfolioEntry.objects.create(title="Entry", **common)
        revision = PortfolioRevision(
            entry=entry, number=1, filename="a.txt", content_type="text/plain", size=1
        )
        revision.file.save("a.txt", ContentFile(b"a"), save=True)
        return entry
    if kind == "minutes":
        return Meeting.objects.create(
            meeting_type="orientation",
            title="Orientation",
            starts_at=timezone.now(),
            mode="in_person",
            **common,
        )
    if kind == "feedback":
        return FeedbackCollection.objects.create(
            form_key="participant-feedback",
            form={},
            title="Feedback",
            token=f"t-{visibility}",
            **common,
        )
    raise AssertionError(kind)


QUERYSETS = {
    "form": policy.form_responses_visible_to,
    "resource": policy.resources_visible_to,
    "plan": policy.plans_visible_to,
    "score": policy.scores_visible_to,
    "portfolio": policy.portfolio_entries_visible_to,
    "minutes": policy.meeting_minutes_visible_to,
    "feedback": policy.feedback_collections_visible_to,
}
OBJECT_CHECKED = {"form", "resource", "plan", "score", "portfolio", "feedback"}


@pytest.mark.parametrize("kind", QUERYSETS)
@pytest.mark.parametrize("level", Visibility.values)
def test_content_visibility_matrix(world, kind, level):
    row = make(kind, world, level)
    for name, levels in CAN_READ_AUTHORED_BY_CORA.items():
        user = world.people[name]
        expected = level in levels
        assert (row in QUERYSETS[kind](user)) is expected, (kind, level, name)
        if kind in OBJECT_CHECKED:
            assert policy.allowed(user, Action.VIEW, row) is expected, (kind, level, name)


@pytest.mark.parametrize("name", CAN_READ_AUTHORED_BY_CORA)
def test_meetings_and_steps_are_metadata_for_whoever_sees_the_engagement(world, name):
    """That a meeting happened and how far the steps are is metadata: administrators see it,
    though not the minutes of a team-level meeting."""
    meeting = make("minutes", world, T)
    user = world.people[name]
    sees_engagement = name in {"cora", "tom", "lena", "dan", "ada"}
    assert (meeting in policy.meetings_visible_to(user)) is sees_engagement
    step = world.engagement.steps.first()
    assert (step in policy.steps_visible_to(user)) is sees_engagement
    if name == "ada":
        assert meeting not in policy.meeting_minutes_visible_to(user)


def test_another_tenants_administrator_added_by_mistake_still_sees_no_content(world):
    world.engagement.programme.administrators.add(world.bea)
    for kind, queryset in QUERYSETS.items():
        make(kind, world, G)
        assert not queryset(world.bea).exists(), kind


ROLES = ["coach", "coachee", "sponsor", "district_rep"]
ACTIONS = {
    Action.ADD_NOTE: {"coach", "coachee"},
    Action.EDIT_PLAN: {"coach", "coachee"},
    Action.APPROVE_PLAN: {"sponsor", "district_rep"},
    Action.COACH: {"coach"},
    Action.SUBMIT_PORTFOLIO: {"coachee"},
    Action.WORK: set(ROLES),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_engagement_actions_follow_the_participant_role(world, action):
    by_role = {
        "coach": world.cora,
        "coachee": world.tom,
        "sponsor": world.lena,
        "district_rep": world.dan,
    }
    for role, user in by_role.items():
        assert policy.allowed(user, action, world.engagement) is (role in ACTIONS[action]), (
            action,
            role,
        )
    for outsider in (world.sam, world.tina, world.bea, world.ben, world.ada):
        assert not policy.allowed(outsider, action, world.engagement), (action, outsider)


def test_programme_administrators_manage_the_engagement_but_coaches_do_not(world):
    assert policy.allowed(world.ada, Action.MANAGE, world.engagement)
    assert policy.allowed(world.ada, Action.CREATE_ENGAGEMENT, world.engagement.programme)
    for user in (world.cora, world.tom, world.lena, world.dan, world.bea):
        assert not policy.allowed(user, Action.MANAGE, world.engagement)
        assert not policy.allowed(user, Action.CREATE_ENGAGEMENT, world.engagement.programme)


def test_playbooks_built_in_for_all_and_copies_within_their_tenant(world):
    from coachloop.playbooks.services import playbook_copy

    builtin = world.engagement.programme.playbook
    copy = playbook_copy(
        actor=world.ada, source=builtin, organisation=world.district, name="Riverbend coaching"
    )
    for name in ("ada", "cora", "tom", "lena", "dan", "tina"):
        user = world.people[name]
        assert policy.allowed(user, Action.VIEW, builtin)
        assert policy.allowed(user, Action.VIEW, copy), name  # in or under Riverbend
    assert policy.allowed(world.bea, Action.VIEW, builtin)
    assert not policy.allowed(world.bea, Action.VIEW, copy)
    assert policy.allowed(world.ada, Action.MANAGE, copy)
    assert not policy.allowed(world.cora, Action.MANAGE, copy)
    assert not policy.allowed(world.ada, Action.MANAGE, builtin)


def test_the_programme_step_shortcut_equals_the_general_rule(world):
    """programme_steps_followed_by is a faster spelling of the managed engagements' steps."""
    from coachloop.engagements.models import StepProgress
    from coachloop.testing.factories import EngagementFactory

    other = EngagementFactory(programme=world.engagement.programme, organisation=world.elm)
    StepProgress.objects.create(
        organisation=world.elm,
        engagement=other,
        position=0,
        phase_key="p",
        step_key="s",
        title="S",
        owner_role="coach",
        kind="task",
        due_on=other.starts_on,
    )
    programme = world.engagement.programme
    for user in world.people.values():
        fast = set(policy.programme_steps_followed_by(user, programme).values_list("pk", flat=True))
        slow = set(
            StepProgress.objects.filter(
                engagement__in=policy.engagements_managed_by(user), engagement__programme=programme
            ).values_list("pk", flat=True)
        )
        assert fast == slow, user
    assert policy.programme_steps_followed_by(world.ada, programme).count() == 32
