"""The IPCAP pages: drafting with goals, the optimistic lock (nothing silently overwritten),
sending for approval, the sponsor's decision on the version she read, versions and diffs, and
who may not read the plan at all."""

import pytest

from coachloop.access.models import Visibility
from coachloop.engagements.models import StepStatus
from coachloop.plans import services as plans
from coachloop.plans.models import Plan, PlanReview, PlanStatus, ReviewDecision


def url(world, tail=""):
    return f"/engagements/{world.engagement.pk}/plan/{tail}"


def plan_post(base, summary, goals, **extra):
    data = {
        "base": base,
        "summary": summary,
        "goals-TOTAL_FORMS": len(goals),
        "goals-INITIAL_FORMS": 0,
        "goals-MIN_NUM_FORMS": 0,
        "goals-MAX_NUM_FORMS": 1000,
    }
    for n, goal in enumerate(goals):
        for key in ("title", "measure", "evidence"):
            data[f"goals-{n}-{key}"] = goal.get(key, "")
    data.update(extra)
    return data


GOAL = {"title": "Run monthly data meetings", "measure": "4 of 4 held", "evidence": "Minutes"}


def save(world, actor, base=0, summary="Lead data meetings.", goals=(GOAL,)):
    return plans.plan_save(
        actor=actor, engagement=world.engagement, summary=summary, goals=list(goals), base=base
    )


@pytest.fixture
def cora(world, signed_in):
    return signed_in(world.cora)


def test_the_coach_drafts_the_ipcap_and_it_becomes_version_1(world, cora):
    page = cora.get(url(world))
    assert page.status_code == 200
    assert b"Individual Performance Coaching Action Plan" in page.content
    assert b"IPCAP" in page.content
    assert b"No plan yet" in page.content
    assert b'name="base" value="0"' in page.content

    response = cora.post(url(world), plan_post(0, "Lead data meetings.", [GOAL, {}]))
    assert response.status_code == 302
    plan = Plan.objects.get(engagement=world.engagement)
    assert plan.number == 1
    assert plan.versions.get(number=1).goals == [GOAL]  # the empty row was ignored
    page = cora.get(url(world)).content
    assert b"Run monthly data meetings" in page
    assert b"Draft" in page
    assert b"Send to the sponsor for approval" in page


def test_a_goal_without_a_measure_is_explained_and_what_was_typed_is_kept(world, cora):
    goals = [{"title": "Coach two team leads", "measure": "", "evidence": "Logs kept"}]
    response = cora.post(url(world), plan_post(0, "Keep this summary", goals))
    assert response.status_code == 422
    assert b"Goal 1 needs a measure of success." in response.content
    assert b'value="Coach two team leads"' in response.content
    assert b"Keep this summary" in response.content
    assert b"Logs kept" in response.content
    assert not Plan.objects.filter(engagement=world.engagement, number__gt=0).exists()


def test_add_another_goal_gives_one_more_row_and_keeps_the_typed_goals(world, cora):
    data = plan_post(0, "Summary kept", [GOAL, {}], add_goal="1")
    response = cora.post(url(world), data)
    assert response.status_code == 200
    assert b'name="goals-TOTAL_FORMS" value="3"' in response.content
    assert b'name="goals-2-title"' in response.content
    assert b'value="Run monthly data meetings"' in response.content
    assert not Plan.objects.filter(engagement=world.engagement).exists()


def test_two_editors_of_version_1_the_later_save_is_refused_with_what_changed(
    world, cora, signed_in
):
    save(world, world.cora)
    # Cora and Tom both open version 1. Cora saves first.
    cora.post(
        url(world),
        plan_post(1, "Lead data meetings.", [GOAL, {"title": "Coach leads", "measure": "2 leads"}]),
    )
    assert Plan.objects.get(engagement=world.engagement).number == 2
    tom = signed_in(world.tom)
    typed = {"title": "Tom's own goal", "measure": "Tom's measure"}
    response = tom.post(url(world), plan_post(1, "Tom's summary", [typed]))
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed since you opened it" in body
    assert "<ins>" in body
    assert "Coach leads" in body  # the line Cora added, in the diff
    assert 'value="Tom&#x27;s own goal"' in body  # Tom's typed text is still in the form
    assert "Tom&#x27;s summary" in body
    assert 'name="base" value="2"' in body  # the next save builds on what Tom has now read
    plan = Plan.objects.get(engagement=world.engagement)
    assert plan.number == 2
    assert plan.versions.get(number=2).goals[1]["title"] == "Coach leads"  # unchanged

    # Having read what changed, Tom saves again: now it goes through, as version 3.
    again = tom.post(url(world), plan_post(2, "Tom's summary", [typed]))
    assert again.status_code == 302
    assert Plan.objects.get(engagement=world.engagement).number == 3


def test_the_sponsor_approves_the_version_she_read(world, cora, signed_in):
    save(world, world.cora)
    response = cora.post(url(world, "submit/"), {"number": 1})
    assert response.status_code == 302
    assert Plan.objects.get(engagement=world.engagement).status == PlanStatus.SUBMITTED
    lena = signed_in(world.lena)
    page = lena.get(url(world)).content
    assert b"Awaiting approval" in page
    assert b"Approve version 1" in page
    assert b"Return with comments" in page
    assert b'name="base"' not in page  # the sponsor does not edit the plan
    response = lena.post(url(world, "decide/"), {"number": 1, "decision": "approve"})
    assert response.status_code == 302
    plan = Plan.objects.get(engagement=world.engagement)
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_number == 1
    assert PlanReview.objects.filter(
        plan=plan, decision=ReviewDecision.APPROVED, actor=world.lena
    ).exists()
    step = world.engagement.steps.get(step_key="ipcap-approval")
    assert step.status == StepStatus.DONE
    page = lena.get(url(world)).content.decode()
    assert "Approved" in page
    assert "Approve version" not in page


def test_a_stale_approval_is_refused_and_nothing_is_approved(world, signed_in):
    save(world, world.cora)
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=1)
    lena = signed_in(world.lena)
    assert b"Approve version 1" in lena.get(url(world)).content
    # While Lena reads version 1, Cora changes the plan and sends version 2.
    save(world, world.cora, base=1, goals=[GOAL, {"title": "New goal", "measure": "Done"}])
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=2)
    response = lena.post(url(world, "decide/"), {"number": 1, "decision": "approve"})
    assert response.status_code == 409
    assert b"changed since you opened it" in response.content
    assert b"New goal" in response.content
    plan = Plan.objects.get(engagement=world.engagement)
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.approved_number is None
    assert world.engagement.steps.get(step_key="ipcap-approval").status == StepStatus.OPEN


def test_returning_the_plan_needs_comments(world, signed_in):
    save(world, world.cora)
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=1)
    lena = signed_in(world.lena)
    response = lena.post(url(world, "decide/"), {"number": 1, "decision": "return", "comments": ""})
    assert response.status_code == 422
    assert b"Say what should change before returning the plan." in response.content
    assert Plan.objects.get(engagement=world.engagement).status == PlanStatus.SUBMITTED
    response = lena.post(
        url(world, "decide/"),
        {"number": 1, "decision": "return", "comments": "Add a measure for goal 1."},
    )
    assert response.status_code == 302
    assert Plan.objects.get(engagement=world.engagement).status == PlanStatus.RETURNED
    page = signed_in(world.cora).get(url(world)).content
    assert b"Returned with comments" in page
    assert b"Add a measure for goal 1." in page
    assert b"Send to the sponsor for approval" in page  # it can be sent again


def test_versions_and_the_diff_show_added_and_removed_lines(world, cora):
    save(world, world.cora)
    save(world, world.cora, base=1, goals=[{"title": "Coach leads", "measure": "2 leads"}])
    versions = cora.get(url(world, "versions/"))
    assert versions.status_code == 200
    assert b"?a=1&amp;b=2" in versions.content
    diff = cora.get(url(world, "diff/?a=1&b=2")).content.decode()
    assert '<ins><span class="visually-hidden">Added: </span>Goal 1: Coach leads</ins>' in diff
    assert '<del><span class="visually-hidden">Removed: </span>Goal 1: Run monthly' in diff
    assert cora.get(url(world, "diff/")).content.decode().count("<ins>") == 2  # default: 1 to 2
    missing = cora.get(url(world, "diff/?a=1&b=9"))
    assert missing.status_code == 404
    assert b"There is no version 9 of this plan" in missing.content
    assert cora.get(url(world, "diff/?a=x&b=2")).status_code == 404


@pytest.mark.parametrize("name", ["ada", "tina", "ben", "sam"])
def test_people_who_may_not_read_the_plan_get_404(world, signed_in, name):
    save(world, world.cora)
    assert Plan.objects.get(engagement=world.engagement).visibility == Visibility.SPONSORS
    client = signed_in(getattr(world, name))
    for tail in ("", "versions/", "diff/"):
        assert client.get(url(world, tail)).status_code == 404


def test_the_district_representative_reads_but_does_not_approve(world, signed_in):
    save(world, world.cora)
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=1)
    dan = signed_in(world.dan)
    page = dan.get(url(world)).content
    assert b"Run monthly data meetings" in page
    assert b"Approve version" not in page
    response = dan.post(url(world, "decide/"), {"number": 1, "decision": "approve"})
    assert response.status_code == 403
    assert Plan.objects.get(engagement=world.engagement).status == PlanStatus.SUBMITTED
