"""The demo district's instructional coaching programme (seed 004): coach@ and a colleague each
coach six teachers in cycles of study, a brief observation and a feedback meeting, one action
step at a time; the records are consistent with one another and with the cycle's bookkeeping."""

import datetime
import itertools
from collections import Counter

import pytest
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.actionsteps import cycles as cycle_book
from coachloop.actionsteps import library
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepStatus,
    Cycle,
    CycleStatus,
    LibraryCategory,
    LibraryStep,
    PracticeAttempt,
)
from coachloop.demo.coaches import PROGRAMME_NAME
from coachloop.demo.generator import BENCH_PERSONAS, CYCLE_SIZES, DEMO_DOMAIN, generate
from coachloop.engagements.models import Engagement, FormResponse, ParticipantRole, StepStatus
from coachloop.meetings.guide import guide_state
from coachloop.meetings.models import Meeting, MeetingStatus
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.organisations.models import Role
from coachloop.playbooks.answers import clean_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    generate(size="demo", seed=2026)


def persona(name):
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def instructional():
    return Engagement.objects.filter(
        playbook_version__playbook__key="instructional-coaching"
    ).exclude(
        programme__name__startswith=PROGRAMME_NAME  # caseloads alone (test_coaches)
    )


def test_two_coaches_each_coach_six_teachers_sponsored_by_their_principals(demo):
    engagements = instructional()
    assert engagements.count() == 12
    coaches = Counter(
        engagements.filter(participants__role=ParticipantRole.COACH).values_list(
            "participants__user__email", flat=True
        )
    )
    assert len(coaches) == 2
    assert set(coaches.values()) == {6}
    assert coaches[f"coach@{DEMO_DOMAIN}"] == 6  # the demo coach sees a caseload
    for engagement in engagements.prefetch_related("participants__user__memberships"):
        by_role = {p.role: p.user for p in engagement.participants.all()}
        assert set(by_role) == {
            ParticipantRole.COACH,
            ParticipantRole.COACHEE,
            ParticipantRole.SPONSOR,
        }
        teacher_roles = {(m.organisation_id, m.role) for m in by_role["coachee"].memberships.all()}
        assert (engagement.organisation_id, Role.TEACHER) in teacher_roles
        leader_roles = {(m.organisation_id, m.role) for m in by_role["sponsor"].memberships.all()}
        assert (engagement.organisation_id, Role.SCHOOL_LEADER) in leader_roles
    # the instructional teachers are not also in performance coaching
    coachees = set(
        engagements.filter(participants__role=ParticipantRole.COACHEE).values_list(
            "participants__user", flat=True
        )
    )
    assert len(coachees) == 12


def test_the_district_has_an_action_step_library_with_success_criteria(demo):
    categories = LibraryCategory.objects.all()
    assert categories.count() == 6
    assert {c.organisation.kind for c in categories} == {"district"}
    steps = LibraryStep.objects.all()
    assert steps.count() == 24
    for step in steps:
        assert len(step.success_criteria) == 3
        assert step.model
        assert step.non_examples
    admin = persona("admin")
    assert policy.library_steps_visible_to(persona("coach")).count() == 24
    assert policy.library_visible_to(admin).count() == 6
    # it passes the import's checks: exported, it imports back as it is
    district = categories.first().organisation
    for fmt, filename in (("yaml", "library.yaml"), ("csv", "library.csv")):
        text = library.library_export(district, fmt).decode("utf-8")
        parsed, problems = library.parse(text, filename)
        assert problems == []
        assert [c.title for c in parsed] == [c.title for c in categories]
        assert sum(len(c.steps) for c in parsed) == 24


def test_each_engagement_has_one_current_step_and_one_open_cycle(demo):
    today = timezone.localdate()
    for engagement in instructional():
        steps = list(engagement.action_steps.order_by("started_on", "id"))
        current = [s for s in steps if s.status == ActionStepStatus.CURRENT]
        assert len(current) == 1
        assert steps[-1] == current[0]
        assert cycle_book.current_step(engagement) == current[0]
        for earlier, later in itertools.pairwise(steps):
            ended = earlier.mastered_on or earlier.paused_on
            assert ended == later.started_on  # chosen in the meeting that ended the last
        cycles = list(engagement.cycles.order_by("number"))
        assert [c.number for c in cycles] == list(range(1, len(cycles) + 1))
        assert [c.status for c in cycles].count(CycleStatus.OPEN) == 1
        open_cycle = cycle_book.open_cycle(engagement)
        assert open_cycle == cycles[-1]
        assert open_cycle.action_step == current[0]
        for before, after in itertools.pairwise(cycles):
            assert before.status == CycleStatus.CLOSED
            assert before.closed_on == after.opened_on
            assert before.closed_by is not None
            assert before.meeting is not None
            assert before.meeting.status == MeetingStatus.HELD
            assert timezone.localdate(before.meeting.held_at) == before.closed_on
            plan = before.meeting.guide["plan"]
            assert after.study_planned_on.isoformat() == plan["study_on"]
            assert after.observation_planned_on.isoformat() == plan["observation_on"]
            assert before.action_step is not None
        assert cycles[-1].opened_on <= today


def test_observations_are_brief_final_and_tied_to_the_step_and_cycle(demo):
    observations = Observation.objects.filter(engagement__in=instructional())
    assert observations.count() > 12 * 5
    assert set(observations.values_list("status", flat=True)) == {ObservationStatus.FINAL}
    tagged = Counter()
    for observation in observations.select_related("action_step", "cycle"):
        assert observation.started_at <= timezone.now()
        assert 5 <= observation.duration_minutes <= 30
        assert observation.cycle.engagement_id == observation.engagement_id
        assert observation.finished_at is not None
        step = observation.action_step
        if step is None:  # the first visit, before the first step was chosen
            assert observation.cycle.number == 1
            assert all(m["criterion"] is None for m in observation.moments)
            continue
        assert step.started_on <= timezone.localdate(observation.started_at)
        assert observation.cycle.action_step_id == step.pk
        seconds = [
            int(h) * 3600 + int(m) * 60 + int(s)
            for h, m, s in (moment["at"].split(":") for moment in observation.moments)
        ]
        assert seconds == sorted(seconds)
        assert seconds[-1] < observation.duration_minutes * 60
        for moment in observation.moments:
            assert moment["text"]
            if moment["criterion"] is not None:
                assert 0 <= moment["criterion"] < len(step.success_criteria)
                tagged[moment["evidence"]] += 1
            else:
                assert moment["evidence"] is None
        if observation.scores:
            assert observation.rubric_key == "action-step-practice"
            assert set(observation.scores) == {"success-criteria", "impact", "fluency"}
    assert tagged["for"] > 0
    assert tagged["against"] > 0
    # the cycle's first observation date is its earliest observation
    for cycle in Cycle.objects.filter(engagement__in=instructional()).exclude(observed_on=None):
        first = cycle.observations.order_by("started_at").first()
        assert timezone.localdate(first.started_at) == cycle.observed_on


def test_feedback_meetings_were_run_with_the_guide_and_the_next_is_planned(demo):
    now = timezone.now()
    for engagement in instructional():
        spec = engagement.spec
        agenda = [s.model_dump(mode="json") for s in spec.meeting_type("feedback").agenda]
        meetings = engagement.meetings.all()
        assert {m.meeting_type for m in meetings} == {"feedback"}
        planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
        assert len(planned) == 1
        assert planned[0].starts_at > now
        held = [m for m in meetings if m.status == MeetingStatus.HELD]
        assert len(held) == engagement.cycles.filter(status=CycleStatus.CLOSED).count()
        for meeting in held:
            assert meeting.agenda == agenda
            assert len(meeting.stage_notes) == len(agenda)
            assert all(meeting.stage_notes)
            state = guide_state(meeting)
            assert state.finished
            assert not state.running
            assert len(state.stages) == 5
            assert all(stage.visited for stage in state.stages)
            # the time actually spent is recorded, around the plan
            assert 0.5 * 30 * 60 < sum(stage.used for stage in state.stages) < 1.5 * 35 * 60
            attempts = list(meeting.practice_attempts.order_by("number"))
            assert [a.number for a in attempts] == list(range(1, len(attempts) + 1))
            assert attempts
            for attempt in attempts:
                assert [c["criterion"] for c in attempt.criteria] == (
                    attempt.action_step.success_criteria
                )


def test_the_teachers_write_reflections_the_form_accepts(demo):
    reflections = FormResponse.objects.filter(engagement__in=instructional(), form_key="reflection")
    assert reflections.count() >= 12
    for response in reflections.select_related("engagement"):
        form = response.engagement.spec.form("reflection")
        assert clean_answers(form, response.data) == response.data
        assert response.author.participations.filter(
            engagement=response.engagement, role=ParticipantRole.COACHEE
        ).exists()
    for engagement in instructional():
        step = engagement.steps.get(step_key="reflect")
        if step.status == StepStatus.DONE:
            assert reflections.filter(engagement=engagement).exists()


def test_the_playbook_steps_follow_the_cycles(demo):
    for engagement in instructional():
        steps = {s.step_key: s for s in engagement.steps.all()}
        assert len(steps) == 8
        first_meeting = engagement.meetings.filter(status=MeetingStatus.HELD).first()
        if steps["first-feedback"].status == StepStatus.DONE:
            assert steps["first-feedback"].completed_at == first_meeting.held_at
        first_step = engagement.action_steps.order_by("started_on").first()
        if steps["first-action-step"].status == StepStatus.DONE:
            assert timezone.localdate(steps["first-action-step"].completed_at) == (
                first_step.started_on
            )
    # engagements at different points: some still getting started, most running cycles
    assert instructional().values("current_phase").distinct().count() >= 2


def test_the_demo_coach_and_teacher_see_the_cycles_and_the_principal_does_not(demo):
    coach_email, teacher_email = BENCH_PERSONAS["demo"]
    coach = User.objects.get(email=coach_email)
    teacher = User.objects.get(email=teacher_email)
    engagement = instructional().get(participants__user=teacher)
    assert engagement.participants.filter(user=coach, role=ParticipantRole.COACH).exists()
    # the benchmark's teacher has the longest history
    assert engagement.starts_on == timezone.localdate() - datetime.timedelta(
        days=CYCLE_SIZES["demo"].first_days_ago
    )
    observations = Observation.objects.filter(engagement=engagement)
    assert observations.count() >= 20
    assert policy.observations_visible_to(coach).filter(engagement=engagement).count() == (
        observations.count()
    )
    assert policy.observations_visible_to(teacher).count() == observations.count()
    assert policy.action_steps_visible_to(teacher).filter(engagement=engagement).exists()
    leader = persona("leader")  # the principal of school 1: metadata, not the notes
    assert engagement.participants.filter(user=leader, role=ParticipantRole.SPONSOR).exists()
    assert not policy.observations_visible_to(leader).filter(engagement=engagement).exists()
    assert policy.cycles_visible_to(leader).filter(engagement=engagement).exists()
    assert policy.meetings_visible_to(leader).filter(engagement=engagement).exists()
    assert not policy.meeting_minutes_visible_to(leader).filter(engagement=engagement).exists()


def test_every_row_belongs_to_the_engagements_school(demo):
    for model in (ActionStep, Cycle, Observation, Meeting):
        rows = model.objects.filter(engagement__in=instructional()).select_related("engagement")
        assert all(r.organisation_id == r.engagement.organisation_id for r in rows), model
    attempts = PracticeAttempt.objects.select_related("meeting")
    assert all(a.organisation_id == a.meeting.organisation_id for a in attempts)


def test_the_administrators_cycle_report_counts_every_held_feedback_meeting(demo):
    from coachloop.actionsteps.caseload import programme_cycles
    from coachloop.meetings import stagetimes

    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    engagement = Engagement.objects.filter(cycles__isnull=False).first()
    programme = engagement.programme
    held = Meeting.objects.filter(
        engagement__programme=programme, status=MeetingStatus.HELD, meeting_type="feedback"
    )
    first = min(timezone.localdate(m.held_at or m.starts_at) for m in held)
    report = programme_cycles(
        user=admin, programme=programme, start=first, end=timezone.localdate()
    )
    timed = sum(1 for m in held if stagetimes.timings(m.agenda, m.guide))
    assert [s.title for s in report.stages][:2] == ["Praise", "Action step & modelling"]
    assert report.stages[0].meetings == timed > 0
    closed = Cycle.objects.filter(engagement__programme=programme, status=CycleStatus.CLOSED)
    assert report.total == closed.count()
