"""School improvement through its services: the plan and its goals (revision lock, reorder,
remove, import all-or-nothing), target areas from a closed survey, action steps aligned to the
plan, check-ins driving the step's status, step completion, who may write, who may read."""

import datetime
import io

import pytest
from django.utils import timezone

from coachloop.access import policy
from coachloop.access.models import AuditEvent
from coachloop.engagements.models import StepProgress, StepStatus
from coachloop.improvement import imports, services
from coachloop.improvement.models import (
    CheckIn,
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.improvement.tests.conftest import future, make_administration
from coachloop.lib.errors import DomainError
from coachloop.plans.services import PlanConflict

pytestmark = pytest.mark.django_db


def step_status(engagement, key):
    return StepProgress.objects.get(engagement=engagement, step_key=key).status


# --- Plans ----------------------------------------------------------------------------------------


def test_the_school_leader_starts_a_plan_and_it_is_audited(world):
    plan = services.plan_create(
        actor=world.lena,
        organisation=world.oak,
        title="  Oak plan  ",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 7, 31),
    )
    assert plan.title == "Oak plan"
    assert AuditEvent.objects.filter(action="improvement_plan.create", target_id=str(plan.pk))


def test_who_may_start_a_plan(world, lfl):
    for who in (world.lena, world.cora, world.ada):
        services.plan_create(actor=who, organisation=world.oak, title=f"Plan by {who}")
    with pytest.raises(DomainError) as teacher:
        services.plan_create(actor=world.tom, organisation=world.oak, title="Mine")
    assert teacher.value.status == 403
    with pytest.raises(DomainError) as stranger:
        services.plan_create(actor=world.bea, organisation=world.oak, title="Theirs")
    assert stranger.value.status == 404
    with pytest.raises(DomainError) as district:
        services.plan_create(actor=world.ada, organisation=world.district, title="District")
    assert district.value.status == 404
    assert ImprovementPlan.objects.count() == 3


def test_plan_dates_and_title_are_checked(world):
    with pytest.raises(DomainError) as empty:
        services.plan_create(actor=world.lena, organisation=world.oak, title=" ")
    assert empty.value.field == "title"
    with pytest.raises(DomainError) as dates:
        services.plan_create(
            actor=world.lena,
            organisation=world.oak,
            title="Plan",
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2026, 1, 1),
        )
    assert dates.value.field == "ends_on"
    assert "before the start" in dates.value.message


def test_a_stale_plan_save_is_refused_with_what_changed(world, plan):
    opened = plan.revision
    services.plan_update(
        actor=world.cora,
        plan=plan,
        title="Oak plan (revised)",
        starts_on=None,
        ends_on=None,
        base=opened,
    )
    with pytest.raises(PlanConflict) as conflict:
        services.plan_update(
            actor=world.lena,
            plan=plan,
            title="Lena's title",
            starts_on=None,
            ends_on=None,
            base=opened,
        )
    assert conflict.value.status == 409
    changes = {(c.op, c.text) for c in conflict.value.changes}
    assert ("added", "Title: Oak plan (revised)") in changes
    assert ("removed", "Title: Lena's title") in changes
    plan.refresh_from_db()
    assert plan.title == "Oak plan (revised)"
    # a goal added on a stale revision is refused too
    with pytest.raises(PlanConflict):
        services.goal_add(actor=world.lena, plan=plan, title="Late goal", base=opened)
    assert not ImprovementGoal.objects.filter(title="Late goal").exists()


def test_only_managers_change_the_plan_and_strangers_get_404(world, plan):
    with pytest.raises(DomainError) as teacher:
        services.goal_add(actor=world.tom, plan=plan, title="Mine")
    assert teacher.value.status == 403
    with pytest.raises(DomainError) as stranger:
        services.goal_add(actor=world.ben, plan=plan, title="Mine")
    assert stranger.value.status == 404
    assert policy.improvement_plans_visible_to(world.tom).filter(pk=plan.pk).exists()


def test_goals_are_reordered_edited_and_removed(world, plan):
    first, second = plan.goals.order_by("order")
    order = services.goal_move(actor=world.lena, goal=second, offset=-1)
    assert [g.title for g in order] == ["Attendance above 95%", "Every pupil reads fluently"]
    assert [g.title for g in plan.goals.order_by("order", "id")] == [
        "Attendance above 95%",
        "Every pupil reads fluently",
    ]
    services.goal_update(
        actor=world.lena, goal=first, title="Every pupil reads well", owner="", measure="KS2"
    )
    first.refresh_from_db()
    assert (first.title, first.measure) == ("Every pupil reads well", "KS2")
    services.goal_remove(actor=world.lena, goal=first)
    assert list(plan.goals.values_list("title", flat=True)) == ["Attendance above 95%"]
    plan.refresh_from_db()
    assert plan.revision == 6  # created 1, two goals, move, edit, remove


def test_a_goal_that_action_steps_serve_stays(world, lfl, plan, area):
    goal = plan.goals.first()
    services.action_step_create(
        actor=world.lena,
        engagement=lfl.engagement,
        target_area=area,
        text="Walkthroughs",
        owner=world.lena,
        due_on=future(),
        measure="Weekly",
        goal=goal,
    )
    with pytest.raises(DomainError) as kept:
        services.goal_remove(actor=world.lena, goal=goal)
    assert "serve this goal" in kept.value.message
    assert ImprovementGoal.objects.filter(pk=goal.pk).exists()


def test_an_archived_plan_offers_no_goals_to_action_steps(world, lfl, plan):
    from coachloop.improvement import selectors

    assert selectors.goal_choices(world.lena, lfl.engagement).count() == 2
    services.plan_archive(actor=world.lena, plan=plan)
    assert selectors.goal_choices(world.lena, lfl.engagement).count() == 0
    assert selectors.current_plan(world.lena, world.oak) is None


# --- Import ---------------------------------------------------------------------------------------


def test_import_csv_with_a_header_in_any_order(world, plan):
    data = (
        b"Measure of success;Goal;Owner\n"
        b"Reading age +1;Reading for all;Literacy lead\n"
        b"\n"
        b";Maths mastery;\n"
    )
    goals = services.goals_import(actor=world.lena, plan=plan, data=data, filename="goals.csv")
    assert [(g.title, g.owner, g.measure) for g in goals] == [
        ("Reading for all", "Literacy lead", "Reading age +1"),
        ("Maths mastery", "", ""),
    ]
    assert list(plan.goals.order_by("order", "id").values_list("title", flat=True))[-2:] == [
        "Reading for all",
        "Maths mastery",
    ]


def test_import_xlsx_without_a_header(world, plan):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Reading for all", "Literacy lead", "Reading age +1"])
    sheet.append(["Maths mastery", None, 42])
    out = io.BytesIO()
    book.save(out)
    goals = services.goals_import(
        actor=world.lena, plan=plan, data=out.getvalue(), filename="plan.xlsx"
    )
    assert [(g.title, g.measure) for g in goals] == [
        ("Reading for all", "Reading age +1"),
        ("Maths mastery", "42"),
    ]


def test_import_names_every_bad_row_and_writes_nothing(world, plan):
    before = plan.goals.count()
    revision = plan.revision
    data = ("goal,owner,measure\nGood one,,\n,Somebody,Something\n" + "x" * 301 + ",,\n").encode()
    with pytest.raises(imports.ImportProblems) as bad:
        services.goals_import(actor=world.lena, plan=plan, data=data, filename="goals.csv")
    assert bad.value.problems == [
        "Line 3: the goal is empty.",
        "Line 4: the goal is 301 characters long; keep it to 300.",
    ]
    assert "Nothing was imported" in bad.value.message
    assert plan.goals.count() == before
    plan.refresh_from_db()
    assert plan.revision == revision


def test_import_refuses_empty_large_and_binary_files(world, plan):
    for data, name, words in (
        (b"", "goals.csv", "empty"),
        (b"goal\n" + b"a,b,c\n" * 200_000, "goals.csv", "larger than"),
        (b"\xff\xfe\x00g\x00o", "goals.csv", "not UTF-8"),
        (b"PK\x03\x04garbage", "goals.xlsx", "Excel workbook"),
        (b"goal,owner\n", "goals.csv", "no goals"),
    ):
        with pytest.raises(imports.ImportProblems) as bad:
            services.goals_import(actor=world.lena, plan=plan, data=data, filename=name)
        assert words in bad.value.message
    assert plan.goals.count() == 2


def test_import_respects_the_goal_limit(world, plan):
    rows = [imports.GoalRow(n, f"Goal {n}", "", "") for n in range(imports.MAX_GOALS - 1)]
    with pytest.raises(DomainError) as full:
        services.goals_import(actor=world.lena, plan=plan, rows=rows)
    assert "at most" in full.value.message
    assert plan.goals.count() == 2


# --- Target areas ---------------------------------------------------------------------------------


def test_choosing_a_target_area_completes_the_step(world, lfl, adm):
    engagement = lfl.engagement
    assert step_status(engagement, "target-areas") == StepStatus.OPEN
    area = services.target_area_choose(
        actor=world.cora,
        engagement=engagement,
        administration=adm,
        domain="focus",
        item="focus-meetings",
        kind="strength",
        rationale="Staff meetings are about learning",
    )
    assert area.title == "Staff meetings spend most of their time on teaching and learning."
    assert area.visibility == "sponsors"  # the playbook's default
    assert step_status(engagement, "target-areas") == StepStatus.DONE
    # chosen once; withdrawn, it can be chosen again
    with pytest.raises(DomainError) as twice:
        services.target_area_choose(
            actor=world.lena,
            engagement=engagement,
            administration=adm,
            domain="focus",
            item="focus-meetings",
        )
    assert twice.value.status == 409
    services.target_area_withdraw(actor=world.lena, area=area)
    again = services.target_area_choose(
        actor=world.lena,
        engagement=engagement,
        administration=adm,
        domain="focus",
        item="focus-meetings",
    )
    assert again.pk != area.pk
    assert TargetArea.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_target_areas_come_from_a_closed_survey_of_the_engagement(world, lfl, adm):
    engagement = lfl.engagement
    open_adm = make_administration(lfl, world, closed=False)
    with pytest.raises(DomainError) as still_open:
        services.target_area_choose(
            actor=world.lena, engagement=engagement, administration=open_adm, domain="focus"
        )
    assert still_open.value.field == "administration"
    with pytest.raises(DomainError) as unknown:
        services.target_area_choose(
            actor=world.lena, engagement=engagement, administration=adm, domain="astrology"
        )
    assert unknown.value.field == "area"
    with pytest.raises(DomainError) as wrong_item:
        services.target_area_choose(
            actor=world.lena,
            engagement=engagement,
            administration=adm,
            domain="focus",
            item="monitoring-visits",
        )
    assert wrong_item.value.field == "area"
    assert not TargetArea.objects.exists()


def test_only_the_team_chooses_target_areas(world, lfl, adm):
    with pytest.raises(DomainError) as rep:
        services.target_area_choose(
            actor=world.dan, engagement=lfl.engagement, administration=adm, domain="focus"
        )
    assert rep.value.status == 403
    with pytest.raises(DomainError) as outsider:
        services.target_area_choose(
            actor=world.ben, engagement=lfl.engagement, administration=adm, domain="focus"
        )
    assert outsider.value.status == 404


def test_who_reads_target_areas_action_steps_and_check_ins(world, lfl, area):
    step = services.action_step_create(
        actor=world.lena,
        engagement=lfl.engagement,
        target_area=area,
        text="Walkthroughs",
        owner=world.lena,
        due_on=future(),
        measure="Weekly",
    )
    services.check_in_create(actor=world.cora, step=step, progress="on_track", summary="Begun")
    for who, sees in (
        (world.lena, True),
        (world.cora, True),
        (world.dan, True),  # district representative of the engagement: sponsors level
        (world.ada, False),  # programme administrator: programme level only
        (world.sam, False),  # staff at Oak, not in the engagement
        (world.ben, False),  # another tenant
    ):
        assert policy.target_areas_visible_to(who).filter(pk=area.pk).exists() is sees, who
        assert policy.school_action_steps_visible_to(who).filter(pk=step.pk).exists() is sees
        assert policy.check_ins_visible_to(who).filter(action_step=step).exists() is sees


# --- Action steps ---------------------------------------------------------------------------------


def step_kwargs(world, lfl, area, **overrides):
    values = {
        "actor": world.lena,
        "engagement": lfl.engagement,
        "target_area": area,
        "text": "Leaders visit every classroom fortnightly",
        "owner": world.lena,
        "due_on": future(),
        "measure": "Visit log shows 2 visits a month per class",
    }
    values.update(overrides)
    return values


def test_the_first_action_step_completes_its_step(world, lfl, plan, area):
    goal = plan.goals.first()
    assert step_status(lfl.engagement, "action-steps") == StepStatus.OPEN
    step = services.action_step_create(**step_kwargs(world, lfl, area, goal=goal, owner=world.tom))
    assert (step.status, step.visibility, step.goal, step.owner) == (
        "planned",
        "sponsors",
        goal,
        world.tom,
    )
    assert step_status(lfl.engagement, "action-steps") == StepStatus.DONE


def test_a_due_date_before_today_is_refused_when_creating(world, lfl, area):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(DomainError) as past:
        services.action_step_create(**step_kwargs(world, lfl, area, due_on=yesterday))
    assert past.value.field == "due_on"
    assert "in the past" in past.value.message
    assert not SchoolActionStep.objects.exists()


def test_a_target_area_of_another_engagement_is_refused(world, lfl, area):
    other = build_lfl_elsewhere(world, lfl)
    with pytest.raises(DomainError) as wrong:
        services.action_step_create(**step_kwargs(world, lfl, area, engagement=other))
    assert wrong.value.field == "target_area"
    assert not SchoolActionStep.objects.exists()


def build_lfl_elsewhere(world, lfl):
    """A second Leadership for learning engagement at Oak, with Lena as a coachee too."""
    from coachloop.engagements.models import ParticipantRole
    from coachloop.testing.factories import EngagementFactory, ParticipantFactory

    engagement = EngagementFactory(
        programme=lfl.engagement.programme,
        organisation=world.oak,
        title="Second cycle",
        starts_on=lfl.engagement.starts_on,
        playbook_version=lfl.engagement.playbook_version,
        current_phase="assess",
    )
    ParticipantFactory(engagement=engagement, user=world.lena, role=ParticipantRole.COACHEE)
    return engagement


def test_a_goal_of_another_schools_plan_is_refused(world, lfl, area):
    from coachloop.organisations.models import Role
    from coachloop.testing.factories import MembershipFactory

    MembershipFactory(user=world.lena, organisation=world.elm, role=Role.SCHOOL_LEADER)
    policy.forget(world.lena)
    elm_plan = services.plan_create(actor=world.lena, organisation=world.elm, title="Elm plan")
    elm_goal = services.goal_add(actor=world.lena, plan=elm_plan, title="Elm goal")
    with pytest.raises(DomainError) as wrong:
        services.action_step_create(**step_kwargs(world, lfl, area, goal=elm_goal))
    assert wrong.value.field == "goal"
    assert not SchoolActionStep.objects.exists()


def test_owner_measure_and_withdrawn_area_are_checked(world, lfl, area):
    with pytest.raises(DomainError) as bad:
        services.action_step_create(
            **step_kwargs(world, lfl, area, owner=world.tina, measure=" ", text="")
        )
    assert set(bad.value.errors) == {"owner", "measure", "text"}
    services.target_area_withdraw(actor=world.lena, area=area)
    with pytest.raises(DomainError) as withdrawn:
        services.action_step_create(**step_kwargs(world, lfl, area))
    assert withdrawn.value.field == "target_area"


def test_a_stale_action_step_save_is_refused(world, lfl, area):
    step = services.action_step_create(**step_kwargs(world, lfl, area))
    opened = step.revision
    common = {
        "owner": world.lena,
        "due_on": step.due_on,
        "measure": step.measure,
        "status": "underway",
    }
    services.action_step_update(actor=world.cora, step=step, text="Cora's", base=opened, **common)
    with pytest.raises(PlanConflict) as stale:
        services.action_step_update(
            actor=world.lena, step=step, text="Lena's", base=opened, **common
        )
    assert stale.value.status == 409
    assert any("Cora's" in c.text for c in stale.value.changes)
    step.refresh_from_db()
    assert (step.text, step.revision) == ("Cora's", opened + 1)


def test_an_unchanged_past_due_date_may_stay_on_update(world, lfl, area):
    step = services.action_step_create(**step_kwargs(world, lfl, area))
    past = timezone.localdate() - datetime.timedelta(days=3)
    SchoolActionStep.objects.filter(pk=step.pk).update(due_on=past)
    step.refresh_from_db()
    updated = services.action_step_update(
        actor=world.lena,
        step=step,
        text="Still going",
        owner=world.lena,
        due_on=past,
        measure="m",
        status="underway",
    )
    assert updated.due_on == past


# --- Check-ins ------------------------------------------------------------------------------------


def test_check_ins_drive_the_status_and_complete_the_step(world, lfl, area):
    step = services.action_step_create(**step_kwargs(world, lfl, area))
    assert step_status(lfl.engagement, "first-check-in") == StepStatus.OPEN
    first = services.check_in_create(
        actor=world.cora,
        step=step,
        progress="at_risk",
        summary="Two visits done",
        barriers="Cover for leaders",
        overcome="Timetable the visits",
        support="Walkthrough protocol",
        partner="WIDA Professional Learning Workshops",
    )
    step.refresh_from_db()
    assert step.status == "underway"
    assert step_status(lfl.engagement, "first-check-in") == StepStatus.DONE
    services.check_in_create(actor=world.lena, step=step, progress="done", summary="All done")
    step.refresh_from_db()
    assert step.status == "done"
    history = list(CheckIn.objects.filter(action_step=step))
    assert [c.progress for c in history] == ["done", "at_risk"]  # newest first
    assert first.partner == "WIDA Professional Learning Workshops"


def test_a_check_in_names_a_known_partner_and_says_what_moved(world, lfl, area):
    step = services.action_step_create(**step_kwargs(world, lfl, area))
    with pytest.raises(DomainError) as bad:
        services.check_in_create(
            actor=world.cora, step=step, progress="sideways", summary=" ", partner="Acme"
        )
    assert set(bad.value.errors) == {"progress", "summary", "partner"}
    with pytest.raises(DomainError) as no_support:
        services.check_in_create(
            actor=world.cora, step=step, progress="on_track", summary="ok", partner="Other"
        )
    assert no_support.value.field == "support"
    services.check_in_create(
        actor=world.cora,
        step=step,
        progress="on_track",
        summary="ok",
        partner="Other",
        support="A data coach",
    )
    with pytest.raises(DomainError) as rep:
        services.check_in_create(actor=world.dan, step=step, progress="on_track", summary="x")
    assert rep.value.status == 403
    assert CheckIn.objects.count() == 1
