"""The demo district runs the performance coaching playbook (and the instructional coaching one,
see test_instructional), and each named demo account finds something to do in it, as the pages
(through the selectors) show it."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.demo.generator import DEMO_DOMAIN, generate
from coachloop.engagements import selectors
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    FormResponse,
    ParticipantRole,
    Programme,
    StepStatus,
)
from coachloop.engagements.services import agreement_status
from coachloop.feedback.models import FeedbackAnswer
from coachloop.meetings.models import Meeting, MeetingStatus
from coachloop.plans.models import Plan, PlanStatus
from coachloop.playbooks.answers import clean_answers
from coachloop.playbooks.models import Playbook
from coachloop.portfolios.models import EntryStatus, PortfolioEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    generate(size="demo", seed=2026)


def persona(name):
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def performance():
    return Engagement.objects.filter(playbook_version__playbook__key="performance-coaching")


def test_the_programmes_run_the_builtin_performance_and_instructional_playbooks(demo):
    playbook = Playbook.objects.get(organisation=None, key="performance-coaching")
    cycles = Playbook.objects.get(organisation=None, key="instructional-coaching")
    peer = Playbook.objects.get(organisation=None, key="peer-coaching")
    lfl = Playbook.objects.get(organisation=None, key="leadership-for-learning")
    development = Playbook.objects.get(organisation=None, key="coach-development")
    programmes = Programme.objects.all()
    # instructional twice: the cycles programme and school-based coaching (test_coaches)
    assert sorted(p.playbook_id for p in programmes) == sorted(
        [playbook.pk] * 2 + [cycles.pk] * 2 + [peer.pk, lfl.pk, development.pk]
    )
    # peers coach each other; in coach development coach@ is coached by a lead coach
    coached = programmes.exclude(playbook__in=[peer, development])
    assert all(p.coaches.filter(email=f"coach@{DEMO_DOMAIN}").exists() for p in coached)
    assert {e.playbook_version_id for e in Engagement.objects.all()} == {
        playbook.current_id,
        cycles.current_id,
        peer.current_id,
        lfl.current_id,
        development.current_id,
    }
    engagements = performance()
    assert engagements.count() == 24
    for engagement in engagements:
        assert engagement.steps.count() == 31
        assert engagement.agreement_text
    phases = set(engagements.values_list("current_phase", flat=True))
    assert len(phases) >= 4, phases  # engagements at different points of the process
    assert engagements.filter(status=EngagementStatus.COMPLETED).exists()
    assert engagements.filter(status=EngagementStatus.ACTIVE).exists()


def test_progress_is_consistent_with_the_phases(demo):
    today = timezone.localdate()
    overdue = 0
    for engagement in Engagement.objects.prefetch_related("steps"):  # every playbook
        order = [p.key for p in engagement.spec.phases]
        current = order.index(engagement.current_phase)
        for step in engagement.steps.all():
            phase = order.index(step.phase_key)
            if phase < current or engagement.status == EngagementStatus.COMPLETED:
                # an optional step that did not happen (a peer team's triad meeting): skipped
                expected = {StepStatus.DONE} if step.required else {StepStatus.DONE, "skipped"}
                assert step.status in expected, (engagement, step)
            if phase > current:
                assert step.status == StepStatus.OPEN, (engagement, step)
            if step.status == StepStatus.DONE:
                assert step.completed_by_id is not None
                assert step.completed_at is not None
                assert step.completed_at <= timezone.now()
                assert all(step.checklist_done)
            elif step.due_on < today:
                overdue += 1
        # a done agreement step has every signer's signature of the current text
        agreement = engagement.steps.get(kind="agreement")
        states = {row["state"] for row in agreement_status(engagement)}
        if agreement.status == StepStatus.DONE:
            assert states == {"signed"}
    assert overdue > 0


def test_the_records_behind_the_steps_are_there_and_valid(demo):
    for plan in Plan.objects.select_related("engagement"):
        steps = {s.step_key: s.status for s in plan.engagement.steps.all()}
        assert plan.versions.filter(number=plan.number).exists()
        if plan.status == PlanStatus.APPROVED:
            assert steps["ipcap-approval"] == StepStatus.DONE
            assert plan.approved_number == plan.number
        if plan.status == PlanStatus.SUBMITTED:
            assert steps["draft-ipcap"] == StepStatus.DONE
            assert steps["ipcap-approval"] == StepStatus.OPEN
    assert set(Plan.objects.values_list("status", flat=True)) >= {
        PlanStatus.APPROVED,
        PlanStatus.SUBMITTED,
    }
    # every answer is one the form accepts
    for response in FormResponse.objects.select_related("engagement"):
        form = response.engagement.spec.form(response.form_key)
        assert clean_answers(form, response.data) == response.data
    for answer in FeedbackAnswer.objects.select_related("collection"):
        assert set(answer.data) <= {f["key"] for f in answer.collection.form["fields"]}
    assert Meeting.objects.filter(status=MeetingStatus.HELD).exists()
    for entry in PortfolioEntry.objects.all():
        revision = entry.revisions.order_by("-number").first()
        assert revision is not None
        with default_storage.open(revision.file.name) as f:
            assert f.read()


def test_the_coach_has_steps_due_this_week_and_overdue_a_plan_an_entry_and_a_meeting(demo):
    coach = persona("coach")
    today = timezone.localdate()
    page = selectors.today_for(user=coach)
    assert any(today <= s.due_on <= today + datetime.timedelta(days=7) for s in page.due)
    assert page.overdue_count > 0
    assert any(s.due_on < today for s in page.due)
    # the plan sent to the sponsor, still awaiting her
    assert page.approvals_awaited
    assert {p.status for p in page.approvals_awaited} == {PlanStatus.SUBMITTED}
    assert any(e.status == EntryStatus.SUBMITTED for e in page.reviews)
    week = timezone.now() + datetime.timedelta(days=7)
    assert any(m.starts_at <= week for m in page.meetings)
    mine = policy.engagements_visible_to(coach).filter(
        participants__user=coach, participants__role=ParticipantRole.COACH
    )
    assert mine.count() >= 4


def test_the_leader_has_a_plan_to_approve(demo):
    leader = persona("leader")
    page = selectors.today_for(user=leader)
    assert len(page.approvals_to_give) >= 1
    teacher_plan = Plan.objects.get(
        engagement__participants__user=persona("teacher"),
        engagement__participants__role=ParticipantRole.COACHEE,
    )
    assert teacher_plan in page.approvals_to_give
    # and the step of approving it is due this week
    week = timezone.localdate() + datetime.timedelta(days=7)
    assert any(s.step_key == "ipcap-approval" and s.due_on <= week for s in page.due)
    sponsor = selectors.sponsor_view(user=leader)
    assert teacher_plan.engagement in sponsor["awaiting"]
    assert len(sponsor["engagements"]) >= 2


def test_the_teacher_is_the_performer_of_one_engagement(demo):
    teacher = persona("teacher")
    engagements = policy.engagements_visible_to(teacher)
    assert engagements.count() == 1
    engagement = engagements.get()
    page = selectors.engagement_page(user=teacher, engagement=engagement)
    assert page.roles == {ParticipantRole.COACHEE}
    assert [p.spec.key for p in page.phases] == [p.key for p in engagement.spec.phases]
    assert page.phases[0].state == "current"
    assert page.current_step is not None
    assert {row["state"] for row in page.agreement} == {"signed"}


def test_the_district_rep_follows_engagements_and_the_admin_the_programme(demo):
    district = selectors.sponsor_view(user=persona("district"))
    # the performance coaching engagements name her, and every peer team (as a member's
    # supervisor or as district representative), and every Leadership for learning school;
    # instructional coaching has none
    peer = Engagement.objects.filter(playbook_version__playbook__key="peer-coaching")
    lfl = Engagement.objects.filter(playbook_version__playbook__key="leadership-for-learning")
    assert lfl.count() == 4
    assert len(district["engagements"]) == performance().count() + peer.count() + lfl.count()
    admin = persona("admin")
    programme = Programme.objects.get(name__startswith="Teacher performance")
    overview = selectors.programme_overview(user=admin, programme=programme)
    assert overview.active > 0
    assert overview.completed > 0
    assert sum(row["count"] for row in overview.by_phase) == overview.active
    assert overview.overdue_count > 0
    assert overview.overdue


def test_staff_see_no_engagement(demo):
    staff = persona("staff")
    assert not policy.engagements_visible_to(staff).exists()
    page = selectors.today_for(user=staff)
    assert (page.due, page.meetings, page.reviews) == ([], [], [])
