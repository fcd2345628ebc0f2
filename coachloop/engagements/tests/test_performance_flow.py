"""A whole performance-coaching engagement (seed 000), driven through the services from
Pre-coaching to completion, as the people of the shared world."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coachloop.engagements import selectors, services
from coachloop.engagements.models import EngagementStatus, StepStatus
from coachloop.engagements.services import People
from coachloop.feedback import services as feedback
from coachloop.meetings import services as meetings
from coachloop.plans import services as plans
from coachloop.plans.models import PlanStatus
from coachloop.portfolios import services as portfolios
from coachloop.portfolios.models import EntryStatus
from coachloop.rubrics import services as rubrics

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

pytestmark = pytest.mark.django_db


def tick_and_complete(actor, engagement, key):
    step = engagement.steps.get(step_key=key)
    for i in range(len(step.checklist_done)):
        step = services.step_tick(actor=actor, step=step, index=i, done=True)
    return services.step_complete(actor=actor, step=step)


def hold(actor, engagement, meeting_type, when):
    meeting = meetings.meeting_schedule(
        actor=actor,
        engagement=engagement,
        meeting_type=meeting_type,
        starts_at=when,
        mode="in_person",
    )
    return meetings.meeting_record(
        actor=actor,
        meeting=meeting,
        stage_notes=["Discussed." for _ in meeting.agenda],
        summary="Held as planned.",
    )


def fill(actor, engagement, form_key, **answers):
    return services.form_submit(actor=actor, engagement=engagement, form_key=form_key, data=answers)


def test_a_performance_coaching_engagement_from_start_to_celebration(
    world, django_capture_on_commit_callbacks
):
    ada, cora, tom, lena, dan = world.ada, world.cora, world.tom, world.lena, world.dan
    programme = world.engagement.programme
    start = timezone.localdate() - datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        engagement = services.engagement_create(
            actor=ada,
            programme=programme,
            people=People(coachees=[tom], coaches=[cora], sponsors=[lena], district_reps=[dan]),
            starts_on=start,
        )
    # Each participant is told, by email, and nobody else is.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (tom, cora, lena, dan))
    assert engagement.current_phase == "pre-coaching"
    assert engagement.steps.count() == 31
    first = engagement.steps.get(step_key="review-assignment")
    assert first.due_on == start + datetime.timedelta(days=7)
    assert first.owner_role == "coach"
    earlier = timezone.now() - datetime.timedelta(days=2)

    # --- Pre-coaching
    fill(
        cora,
        engagement,
        "assignment-review",
        assignment="Lead the data team",
        priorities="Data meetings",
    )
    tick_and_complete(cora, engagement, "plan-orientation")
    hold(cora, engagement, "orientation", earlier)
    for person in (tom, cora, lena):
        services.agreement_sign(actor=person, engagement=engagement, name=person.full_name)
    fill(
        cora, engagement, "performance-factors", summary="Time for data meetings is not protected."
    )
    version = plans.plan_save(
        actor=cora,
        engagement=engagement,
        summary="Lead data meetings that change teaching.",
        goals=[
            {"title": "Run monthly data meetings", "measure": "4 of 4 held", "evidence": "Minutes"}
        ],
        base=0,
    )
    plans.plan_submit(actor=cora, engagement=engagement, number=version.number)
    fill(
        cora,
        engagement,
        "barriers",
        barrier="No meeting time",
        response="Sponsor frees Fridays",
        status="Open",
    )
    # The plan's approval belongs to the next phase: Pre-coaching is done.
    engagement = services.phase_advance(actor=cora, engagement=engagement)
    assert engagement.current_phase == "plan"

    # --- Plan: the sponsor approves the version she read
    plans.plan_decide(actor=lena, engagement=engagement, number=1, approve=True)
    assert engagement.plan.status == PlanStatus.APPROVED
    assert engagement.steps.get(step_key="ipcap-approval").status == StepStatus.DONE
    for key in ("organise", "schedule-practice", "resources"):
        tick_and_complete(cora, engagement, key)
    hold(cora, engagement, "planning", earlier)
    services.phase_advance(actor=cora, engagement=engagement)

    # --- Do: observation, anonymous participant feedback, self-assessment, scoring
    for key in ("organise-practice", "review-task"):
        tick_and_complete(cora, engagement, key)
    tick_and_complete(tom, engagement, "review-with-participants")
    fill(
        cora,
        engagement,
        "observation",
        observed="Tom led the data meeting.",
        evidence="All teams brought data.",
    )
    collection = feedback.collection_open(
        actor=cora, engagement=engagement, form_key="participant-feedback"
    )
    for n in range(6):
        feedback.answer_submit(
            token=collection.token, data={"purpose": 4, "engagement": 3, "useful": 3 + n % 2}
        )
    assert feedback.results(collection).published is False  # still open
    collection = feedback.collection_close(actor=cora, collection=collection)
    published = feedback.results(collection)
    assert published.published
    assert published.respondents == 6
    fill(
        tom,
        engagement,
        "self-assessment",
        went_well="Clear purpose",
        differently="Less talk",
        rating=3,
    )
    rubrics.score_create(
        actor=cora,
        engagement=engagement,
        rubric_key="performance",
        subject="Data meeting, practice",
        ratings={
            c: {"level": 3, "evidence": "Seen"}
            for c in ("preparation", "purpose", "engagement", "data", "follow-through")
        },
        feedback="A well-prepared meeting; next, hand the analysis to the teams.",
    )
    services.phase_advance(actor=cora, engagement=engagement)

    # --- Check
    tick_and_complete(cora, engagement, "arrange-feedback")
    hold(cora, engagement, "feedback-session", earlier)
    fill(
        cora,
        engagement,
        "recommendations",
        strengths="Preparation",
        interventions="Facilitation course",
    )
    tick_and_complete(cora, engagement, "communicate-recommendations")
    fill(cora, engagement, "next-steps", steps="Let the teams analyse the data")
    fill(cora, engagement, "debrief", worked="The anonymous feedback")
    services.phase_advance(actor=cora, engagement=engagement)

    # --- Act: a portfolio entry returned once, then accepted
    tick_and_complete(cora, engagement, "portfolio-information")
    tick_and_complete(cora, engagement, "schedule-portfolio-review")
    entry = portfolios.entry_submit(
        actor=tom,
        engagement=engagement,
        title="Data meeting cycle",
        description="Agendas and minutes",
        upload=SimpleUploadedFile("cycle.pdf", PDF, content_type="application/pdf"),
    )
    portfolios.entry_review(actor=cora, entry=entry, accept=False, feedback="Add the minutes.")
    portfolios.entry_revise(
        actor=tom, entry=entry, upload=SimpleUploadedFile("cycle-2.pdf", PDF), note="Minutes added"
    )
    ratings = {c: {"level": 3} for c in ("complete", "evidence", "reflection")}
    portfolios.entry_review(
        actor=cora, entry=entry, accept=True, feedback="Complete.", ratings=ratings
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACCEPTED
    assert entry.revisions.count() == 2
    fill(cora, engagement, "next-goals", goals="Coach two team leads", steps="Monthly check-ins")
    tick_and_complete(cora, engagement, "communicate-status")
    tick_and_complete(cora, engagement, "celebrate")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.engagement_complete(actor=cora, engagement=engagement)
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert not engagement.steps.filter(status=StepStatus.OPEN, required=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (tom, cora, lena, dan))
    assert "Congratulations" in mail.outbox[0].body

    page = selectors.engagement_page(user=cora, engagement=engagement)
    assert [p.state for p in page.phases] == ["done"] * 5
