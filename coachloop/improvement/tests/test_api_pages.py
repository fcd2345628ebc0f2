"""School improvement through the API and the pages: plans with their revision lock (409 with
what changed), goals and their import, target areas, action steps and check-ins; 404 for what
the caller may not see, 403 for what they see but may not change; forms keep what was typed."""

import base64
import json

import pytest

from coachloop.improvement.models import CheckIn, ImprovementGoal, SchoolActionStep, TargetArea
from coachloop.improvement.tests.conftest import future
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client, world):
    return lambda user: Api(client, user)


def test_plans_through_the_api(as_, world):
    lena = as_(world.lena)
    made = lena.post(f"/api/schools/{world.oak.pk}/improvement-plans", {"title": "Oak plan"})
    assert made.status_code == 201, made.content
    plan = made.json()
    base = f"/api/improvement-plans/{plan['id']}"
    goal = lena.post(f"{base}/goals", {"title": "Reading", "owner": "Lit lead", "base": 1})
    assert goal.status_code == 201, goal.content
    csv = b"goal,owner,measure\nMaths,Maths lead,Scores up\nAttendance,,95%\n"
    imported = lena.post(
        f"{base}/import",
        {"filename": "g.csv", "content_base64": base64.b64encode(csv).decode(), "base": 2},
    )
    assert imported.status_code == 201, imported.content
    got = lena.get(base).json()
    assert [g["title"] for g in got["goals"]] == ["Reading", "Maths", "Attendance"]
    assert got["revision"] == 3
    moved = lena.post(f"{base}/goals/{got['goals'][2]['id']}/move?offset=-2")
    assert [g["title"] for g in moved.json()] == ["Attendance", "Reading", "Maths"]
    # a stale update: 409 with what changed, nothing written
    ok = lena.put(base, {"title": "Oak plan 2026", "base": 4})
    assert ok.status_code == 200, ok.content
    stale = as_(world.cora).put(base, {"title": "Cora's", "base": 4})
    assert stale.status_code == 409
    assert {"op": "added", "text": "Title: Oak plan 2026"} in stale.json()["changes"]
    assert lena.get(base).json()["title"] == "Oak plan 2026"
    # a bad import names the line; nothing written
    bad = lena.post(
        f"{base}/import",
        {"filename": "g.csv", "content_base64": base64.b64encode(b"goal\n\n,x\n").decode()},
    )
    assert bad.status_code == 400
    assert "Line 3: the goal is empty." in json.dumps(bad.json()["errors"])
    assert ImprovementGoal.objects.count() == 3
    # who: a teacher reads but may not change; another tenant gets 404
    assert as_(world.tom).get(base).status_code == 200
    assert as_(world.tom).post(f"{base}/goals", {"title": "x"}).status_code == 403
    assert as_(world.ben).get(base).status_code == 404
    assert as_(world.ben).get(f"/api/schools/{world.oak.pk}/improvement-plans").status_code == 404
    gone = lena.delete(f"{base}/goals/{got['goals'][0]['id']}")
    assert gone.status_code == 204


def test_target_areas_action_steps_and_check_ins_through_the_api(as_, world, lfl, adm, plan):
    lena, cora = as_(world.lena), as_(world.cora)
    eng = f"/api/engagements/{lfl.engagement.pk}"
    wrong = lena.post(f"{eng}/target-areas", {"administration_id": adm.pk, "domain": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "domain"
    area = lena.post(
        f"{eng}/target-areas",
        {"administration_id": adm.pk, "domain": "monitoring", "rationale": "Lowest"},
    )
    assert area.status_code == 201, area.content
    area_id = area.json()["id"]
    goal = plan.goals.first()
    step_in = {
        "target_area_id": area_id,
        "text": "Fortnightly walkthroughs",
        "owner_id": world.lena.pk,
        "due_on": future().isoformat(),
        "measure": "Visit log",
        "goal_id": goal.pk,
    }
    past = lena.post(f"{eng}/school-actions", {**step_in, "due_on": "2020-01-01"})
    assert past.status_code == 400
    assert past.json()["errors"][0]["field"] == "due_on"
    made = lena.post(f"{eng}/school-actions", step_in)
    assert made.status_code == 201, made.content
    step = made.json()
    assert (step["status"], step["revision"], step["overdue"]) == ("planned", 1, False)
    path = f"/api/school-actions/{step['id']}"
    changed = cora.put(path, {**step_in, "status": "underway", "base": 1})
    assert changed.status_code == 200, changed.content
    stale = lena.put(path, {**step_in, "text": "Mine", "base": 1})
    assert stale.status_code == 409
    check = cora.post(
        f"{path}/check-ins",
        {
            "progress": "stalled",
            "summary": "Cover fell through",
            "barriers": "No cover",
            "overcome": "Ask the district",
            "support": "Supply budget",
            "partner": "District support",
        },
    )
    assert check.status_code == 201, check.content
    history = lena.get(f"{path}/check-ins").json()
    assert [c["progress"] for c in history] == ["stalled"]
    assert history[0]["author"]["id"] == world.cora.pk
    # the district representative reads, but does not write
    dan = as_(world.dan)
    assert dan.get(f"{eng}/school-actions").status_code == 200
    assert len(dan.get(f"{eng}/target-areas").json()) == 1
    assert dan.post(f"{path}/check-ins", {"progress": "done", "summary": "x"}).status_code == 403
    # staff of the school outside the engagement: 404 for content
    sam = as_(world.sam)
    assert sam.get(path).status_code == 404
    assert sam.get(f"{path}/check-ins").status_code == 404
    withdrawn = lena.post(f"/api/target-areas/{area_id}/withdraw")
    assert withdrawn.json()["withdrawn_at"] is not None
    assert CheckIn.objects.count() == 1


def test_the_district_view_through_the_api(as_, world, lfl, adm):
    dan = as_(world.dan)
    got = dan.get("/api/improvement/district", sort="-name")
    assert got.status_code == 200, got.content
    body = got.json()
    assert [r["school"] for r in body["items"]] == ["Oak", "Elm"]
    assert (body["count"], body["pages"]) == (2, 1)
    assert as_(world.lena).get("/api/improvement/district").status_code == 404
    assert dan.get("/api/improvement/district", organisation_id=world.faraway.pk).status_code == 404


# --- Pages ----------------------------------------------------------------------------------------


def test_plan_pages_create_edit_and_keep_typed_text_on_conflict(world, signed_in):
    client = signed_in(world.lena)
    listing = client.get(f"/schools/{world.oak.pk}/improvement/")
    assert listing.status_code == 200
    assert "No improvement plan yet." in listing.content.decode()
    empty = client.post(f"/schools/{world.oak.pk}/improvement/", {"title": ""})
    assert empty.status_code == 422
    made = client.post(f"/schools/{world.oak.pk}/improvement/", {"title": "Oak plan"})
    assert made.status_code == 302
    url = made["Location"]
    added = client.post(f"{url}goals/", {"title": "Reading", "owner": "", "measure": "", "base": 1})
    assert added.status_code == 302
    stale = client.post(url, {"title": "My typed title", "starts_on": "", "ends_on": "", "base": 1})
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "My typed title" in text  # kept in the form
    assert "What changed" in text
    assert "Title: Oak plan" in text  # the saved title beside the typed one
    ok = client.post(url, {"title": "My typed title", "starts_on": "", "ends_on": "", "base": 2})
    assert ok.status_code == 302
    upload = client.post(
        f"{url}import/",
        {"file": _file(b"goal,owner\n,nobody\nFine,\n"), "base": 3},
    )
    assert upload.status_code == 422
    assert "Line 2: the goal is empty." in upload.content.decode()
    assert signed_in(world.ben).get(url).status_code == 404
    assert signed_in(world.tom).get(url).status_code == 200
    assert signed_in(world.ben).get(f"/schools/{world.oak.pk}/improvement/").status_code == 404


def _file(data, name="goals.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_engagement_pages_choose_write_and_check_in(world, lfl, adm, plan, signed_in):
    client = signed_in(world.lena)
    eng = lfl.engagement
    page = client.get(f"/engagements/{eng.pk}/improvement/")
    assert page.status_code == 200
    assert "Oak improvement plan 2026-27" in page.content.decode()
    form = client.get(f"/engagements/{eng.pk}/improvement/targets/new/")
    assert form.status_code == 200
    assert "Monitoring teaching and learning" in form.content.decode()
    chosen = client.post(
        f"/engagements/{eng.pk}/improvement/targets/new/",
        {
            "administration": adm.pk,
            "area": "monitoring:",
            "kind": "target",
            "rationale": "Lowest",
            "visibility": "sponsors",
        },
    )
    assert chosen.status_code == 302, chosen.content
    area = TargetArea.objects.get()
    bad = client.post(
        f"/engagements/{eng.pk}/improvement/actions/new/",
        {
            "text": "Walkthroughs",
            "target_area": area.pk,
            "owner": world.lena.pk,
            "due_on": "2020-01-01",
            "measure": "Log",
            "status": "planned",
            "visibility": "sponsors",
        },
    )
    assert bad.status_code == 422
    assert "in the past" in bad.content.decode()
    assert "Walkthroughs" in bad.content.decode()
    made = client.post(
        f"/engagements/{eng.pk}/improvement/actions/new/",
        {
            "text": "Walkthroughs",
            "target_area": area.pk,
            "goal": plan.goals.first().pk,
            "owner": world.lena.pk,
            "due_on": future().isoformat(),
            "measure": "Log",
            "status": "planned",
            "visibility": "sponsors",
        },
    )
    assert made.status_code == 302, made.content
    step = SchoolActionStep.objects.get()
    checked = client.post(
        f"/improvement/actions/{step.pk}/",
        {"progress": "at_risk", "summary": "Begun", "barriers": "Time", "partner": ""},
    )
    assert checked.status_code == 302
    detail = client.get(f"/improvement/actions/{step.pk}/").content.decode()
    assert "At risk" in detail
    assert "Time" in detail
    # the district representative reads the step but gets no forms
    dan = signed_in(world.dan)
    assert dan.get(f"/improvement/actions/{step.pk}/").status_code == 200
    assert dan.get(f"/engagements/{eng.pk}/improvement/targets/new/").status_code == 403
    assert signed_in(world.sam).get(f"/improvement/actions/{step.pk}/").status_code == 404
