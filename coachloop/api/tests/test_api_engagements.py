"""The API of playbooks, programmes and engagements: the same services, selectors and policy as
the pages, with the one error shape. Driven as the personas of the shared world, with tokens."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachloop.accounts.services import token_create
from coachloop.engagements import services
from coachloop.engagements.models import Engagement, StepStatus
from coachloop.engagements.services import People
from coachloop.feedback import services as feedback
from coachloop.plans.models import PlanStatus
from coachloop.portfolios import services as portfolios
from coachloop.testing.api import Api

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def api(client, world):
    made = {}

    def as_(name):
        if name not in made:
            made[name] = Api(client, getattr(world, name))
        return made[name]

    return as_


def url(world, rest=""):
    return f"/api/engagements/{world.engagement.pk}{rest}"


def new_engagement_payload(world, **extra):
    return {
        "coachees": ["tom@a.test"],
        "coaches": ["cora@a.test"],
        "sponsors": [world.lena.pk],
        "district_reps": ["dan@a.test"],
        "starts_on": "2026-10-01",
        **extra,
    }


GOALS = [{"title": "Run monthly data meetings", "measure": "4 of 4 held", "evidence": "Minutes"}]


# --- Creating engagements -----------------------------------------------------------------------


def test_a_programme_administrator_creates_an_engagement_and_a_coach_may_not(api, world):
    programme = world.engagement.programme
    path = f"/api/programmes/{programme.pk}/engagements"
    response = api("ada").post(path, new_engagement_payload(world, title="Coaching Tom again"))
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Coaching Tom again"
    assert body["current_phase"] == "pre-coaching"
    assert {(p["user"]["id"], p["role"]) for p in body["participants"]} == {
        (world.tom.pk, "coachee"),
        (world.cora.pk, "coach"),
        (world.lena.pk, "sponsor"),
        (world.dan.pk, "district_rep"),
    }
    assert sum(len(phase["steps"]) for phase in body["phases"]) == 31
    assert Engagement.objects.filter(title="Coaching Tom again").exists()

    refused = api("cora").post(path, new_engagement_payload(world, title="Not allowed"))
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert not Engagement.objects.filter(title="Not allowed").exists()


def test_creating_an_engagement_with_someone_unknown_names_the_field(api, world):
    programme = world.engagement.programme
    payload = new_engagement_payload(world, coaches=["nobody@a.test"])
    response = api("ada").post(f"/api/programmes/{programme.pk}/engagements", payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "coaches"
    assert "nobody@a.test" in response.json()["errors"][0]["message"]
    # Someone of another tenant is as unknown as someone who does not exist.
    payload = new_engagement_payload(world, coachees=[world.ben.pk])
    response = api("ada").post(f"/api/programmes/{programme.pk}/engagements", payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "coachees"


def test_a_missing_start_date_is_refused_by_the_service(api, world):
    programme = world.engagement.programme
    payload = new_engagement_payload(world, starts_on=None)
    response = api("ada").post(f"/api/programmes/{programme.pk}/engagements", payload)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "starts_on", "message": "Enter the date the coaching starts."}
    ]


def test_bulk_creation_reports_every_bad_line_and_creates_nothing(api, world):
    programme = world.engagement.programme
    path = f"/api/programmes/{programme.pk}/engagements/bulk"
    before = Engagement.objects.count()
    text = (
        "coachee,coach,sponsor,district_rep,starts_on,ends_on\n"
        "tom@a.test,cora@a.test,lena@a.test,,2026-10-01,\n"
        "ghost@a.test,cora@a.test,lena@a.test,,2026-10-01,\n"
        "tom@a.test,cora@a.test,lena@a.test,,1 October,\n"
    )
    response = api("ada").post(path, {"text": text})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Nothing was created; correct these lines and try again."
    messages = [e["message"] for e in body["errors"]]
    assert [e["field"] for e in body["errors"]] == ["lines", "lines"]
    assert messages[0].startswith("Line 3:")
    assert "ghost@a.test" in messages[0]
    assert messages[1].startswith("Line 4:")
    assert "YYYY-MM-DD" in messages[1]
    assert Engagement.objects.count() == before

    good = "tom@a.test,cora@a.test,lena@a.test,,2026-10-01,\ntina@a.test,cora@a.test,,,2026-10-02,"
    response = api("ada").post(path, {"text": good})
    assert response.status_code == 400  # Tina's engagement has no sponsor: the playbook needs one
    assert "Line 2" in response.json()["errors"][0]["message"]
    good = "tom@a.test,cora@a.test,lena@a.test,,2026-10-01,\n"
    response = api("ada").post(path, {"text": good})
    assert response.status_code == 201
    assert [e["status"] for e in response.json()] == ["active"]
    assert Engagement.objects.count() == before + 1


# --- Reading an engagement and moving it on -----------------------------------------------------


def test_the_list_and_the_detail_show_progress_and_steps(api, world):
    listed = api("tom").get("/api/engagements").json()["items"]
    assert [(e["title"], e["current_phase"], e["status"]) for e in listed] == [
        ("Coaching Tom", "pre-coaching", "active")
    ]
    assert listed[0]["steps_total"] == 31
    assert listed[0]["steps_done"] == 0
    assert listed[0]["playbook_version"] == world.engagement.playbook_version.number

    body = api("tom").get(url(world)).json()
    assert body["your_roles"] == ["coachee"]
    assert [p["key"] for p in body["phases"]] == ["pre-coaching", "plan", "do", "check", "act"]
    assert body["phases"][0]["state"] == "current"
    step = body["phases"][0]["steps"][1]
    assert step["key"] == "plan-orientation"
    assert step["owner_role"] == "coach"
    assert step["due_on"] == "2026-09-11"
    assert step["status"] == "open"
    assert [item["done"] for item in step["checklist"]] == [False, False, False]
    assert step["checklist"][0]["text"] == "Agree a date with the performer and sponsor"
    assert "plan-orientation" in [b["key"] for b in body["blocking"]]
    assert body["next_phase"] == {"key": "plan", "title": "Plan"}
    assert {s["role"] for s in body["agreement"]} == {"coach", "coachee", "sponsor"}


def test_a_task_step_completes_only_once_its_checklist_is_ticked(api, world):
    step = url(world, "/steps/plan-orientation")
    refused = api("cora").post(f"{step}/complete")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Tick every item of the checklist first."
    assert refused.json()["errors"] == [
        {"field": "checklist", "message": "Tick every item of the checklist first."}
    ]

    wrong_length = api("cora").patch(step, {"checklist": [True]})
    assert wrong_length.status_code == 422
    assert wrong_length.json()["errors"][0]["field"] == "checklist"

    ticked = api("cora").patch(step, {"checklist": [True, True, True]})
    assert ticked.status_code == 200
    assert [i["done"] for i in ticked.json()["checklist"]] == [True, True, True]

    done = api("cora").post(f"{step}/complete", {"note": "Agreed for Monday"})
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["completed_by"] == {"id": world.cora.pk, "name": str(world.cora)}
    assert done.json()["note"] == "Agreed for Monday"
    again = api("cora").post(f"{step}/complete")
    assert again.status_code == 409

    reopened = api("cora").post(f"{step}/reopen")
    assert reopened.json()["status"] == "open"


def test_steps_follow_their_owners_and_the_playbooks_rules(api, world):
    # A sponsor does not tick the coach's task; a form step is done by its form, not by hand.
    refused = api("lena").patch(url(world, "/steps/plan-orientation"), {"checklist": [True] * 3})
    assert refused.status_code == 403
    automatic = api("cora").post(url(world, "/steps/performance-factors/complete"))
    assert automatic.status_code == 409
    assert "form" in automatic.json()["detail"]
    required = api("cora").post(url(world, "/steps/organise/skip"), {"reason": "Not needed"})
    assert required.status_code == 409
    assert api("cora").post(url(world, "/steps/no-such-step/complete")).status_code == 404
    # The coach moves a due date; a coachee may not.
    moved = api("cora").patch(url(world, "/steps/organise"), {"due_on": "2026-10-20"})
    assert moved.status_code == 200
    assert moved.json()["due_on"] == "2026-10-20"
    assert api("tom").patch(
        url(world, "/steps/organise"), {"due_on": "2026-10-21"}
    ).status_code == (403)
    early = api("cora").patch(url(world, "/steps/organise"), {"due_on": "2026-08-01"})
    assert early.status_code == 400
    assert early.json()["errors"][0]["field"] == "due_on"


def test_the_phase_does_not_advance_while_steps_block_it(api, world):
    response = api("cora").post(url(world, "/advance"))
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Finish these steps first:")
    world.engagement.steps.filter(phase_key="pre-coaching").update(status=StepStatus.DONE)
    advanced = api("cora").post(url(world, "/advance"))
    assert advanced.status_code == 200
    assert advanced.json()["current_phase"] == "plan"
    assert api("cora").post(url(world, "/complete")).status_code == 409


def test_the_agreement_is_signed_with_ones_own_name(api, world):
    body = api("tom").get(url(world, "/agreement")).json()
    assert "Pre-coaching, Plan, Do, Check and Act" in body["text"]
    assert body["all_signed"] is False
    wrong = api("tom").post(url(world, "/agreement/signatures"), {"name": "Someone Else"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "name"
    signed = api("tom").post(url(world, "/agreement/signatures"), {"name": world.tom.full_name})
    assert signed.status_code == 201
    states = {s["user"]["id"]: s["state"] for s in signed.json()["signers"]}
    assert states == {world.tom.pk: "signed", world.cora.pk: "unsigned", world.lena.pk: "unsigned"}
    # The district representative does not sign this playbook's agreement.
    assert api("dan").post(url(world, "/agreement/signatures"), {"name": "x"}).status_code == 403


# --- The plan (IPCAP) ---------------------------------------------------------------------------


def test_the_plan_is_drafted_sent_and_approved_by_the_sponsor(api, world):
    assert api("cora").get(url(world, "/plan")).status_code == 404  # none yet
    saved = api("cora").put(url(world, "/plan"), {"summary": "Data", "goals": GOALS, "base": 0})
    assert saved.status_code == 200
    assert saved.json()["number"] == 1
    assert saved.json()["status"] == "draft"
    assert saved.json()["current"]["goals"][0]["title"] == "Run monthly data meetings"
    assert saved.json()["short_name"] == "IPCAP"

    # Only the approver decides, and only on a plan sent for approval.
    early = api("lena").post(url(world, "/plan/decision"), {"number": 1, "approve": True})
    assert early.status_code == 409
    sent = api("cora").post(url(world, "/plan/submit"), {"number": 1})
    assert sent.json()["status"] == "submitted"
    assert (
        api("cora").post(url(world, "/plan/decision"), {"number": 1, "approve": True}).status_code
        == 403
    )
    returned = api("lena").post(url(world, "/plan/decision"), {"number": 1, "approve": False})
    assert returned.status_code == 400
    assert returned.json()["errors"][0]["field"] == "comments"

    approved = api("lena").post(url(world, "/plan/decision"), {"number": 1, "approve": True})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_number"] == 1
    assert [r["decision"] for r in approved.json()["reviews"]] == ["approved", "submitted"]
    assert world.engagement.plan.status == PlanStatus.APPROVED
    assert world.engagement.steps.get(step_key="draft-ipcap").status == StepStatus.DONE
    versions = api("tom").get(url(world, "/plan/versions")).json()
    assert [v["number"] for v in versions["items"]] == [1]


def test_a_stale_plan_save_is_refused_with_what_changed(api, world):
    api("cora").put(url(world, "/plan"), {"summary": "Data", "goals": GOALS, "base": 0})
    mine = [{"title": "Something else", "measure": "Done"}]
    stale = api("tom").put(url(world, "/plan"), {"summary": "", "goals": mine, "base": 0})
    assert stale.status_code == 409
    body = stale.json()
    assert "version 1" in body["detail"]
    assert body["errors"] == []
    assert {"op": "added", "text": "Goal 1: Run monthly data meetings"} in body["changes"]
    assert world.engagement.plan.number == 1  # nothing was overwritten
    assert world.engagement.plan.versions.get().goals[0]["title"] == "Run monthly data meetings"


def test_bad_goals_are_named_field_by_field(api, world):
    response = api("cora").put(url(world, "/plan"), {"goals": [{"title": "No measure"}], "base": 0})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "goals.0.measure", "message": "Goal 1 needs a measure of success."}
    ]


def test_a_sponsors_level_plan_reaches_sponsors_but_not_the_programme_administrator(api, world):
    api("cora").put(url(world, "/plan"), {"summary": "Data", "goals": GOALS, "base": 0})
    for name in ("lena", "dan", "tom", "cora"):
        response = api(name).get(url(world, "/plan"))
        assert response.status_code == 200, name
        assert response.json()["visibility"] == "sponsors"
    for name in ("ada", "sam", "bea"):
        assert api(name).get(url(world, "/plan")).status_code == 404, name
        assert api(name).get(url(world, "/plan/versions")).status_code == 404, name


# --- Confidential content -----------------------------------------------------------------------


def test_private_notes_and_answers_stay_with_their_author(api, world):
    private_note = world.notes["private"]
    answer = api("cora").post(
        url(world, "/forms/observation/responses"),
        {
            "data": {"observed": "Private observation", "evidence": "Seen"},
            "visibility": "private",
        },
    )
    assert answer.status_code == 201
    answer_id = answer.json()["id"]
    own_notes = [n["id"] for n in api("cora").get(url(world, "/notes")).json()["items"]]
    assert private_note.pk in own_notes
    assert api("cora").get(url(world, f"/forms/observation/responses/{answer_id}")).json()[
        "data"
    ] == {"observed": "Private observation", "evidence": "Seen"}
    for name in ("lena", "dan", "ada", "tom"):
        reader = api(name)
        notes = reader.get(url(world, "/notes")).json()["items"]
        assert private_note.pk not in [n["id"] for n in notes], name
        assert reader.get(url(world, f"/notes/{private_note.pk}")).status_code == 404, name
        answers = reader.get(url(world, "/forms/observation/responses")).json()["items"]
        assert answers == [], name
        detail = reader.get(url(world, f"/forms/observation/responses/{answer_id}"))
        assert detail.status_code == 404, name
        assert "Private observation" not in detail.content.decode()


def test_notes_follow_the_visibility_levels(api, world):
    titles = {
        name: {n["title"] for n in api(name).get(url(world, "/notes")).json()["items"]}
        for name in ("cora", "tom", "lena", "ada")
    }
    assert titles["cora"] == {"private note", "team note", "sponsors note", "programme note"}
    assert titles["tom"] == {"team note", "sponsors note", "programme note"}
    assert titles["lena"] == {"sponsors note", "programme note"}
    assert titles["ada"] == {"programme note"}
    note = api("tom").get(url(world, f"/notes/{world.notes['team'].pk}")).json()
    assert note["body"] == "Secret text at team level"
    written = api("tom").post(url(world, "/notes"), {"title": "Mine", "body": "Thoughts"})
    assert written.status_code == 201
    assert written.json()["visibility"] == "team"  # the playbook's default
    assert api("lena").post(url(world, "/notes"), {"body": "x"}).status_code == 403
    empty = api("tom").post(url(world, "/notes"), {"body": "  "})
    assert empty.status_code == 400
    assert empty.json()["errors"][0]["field"] == "body"


def test_links_are_attached_and_read_at_their_level(api, world):
    link = {"title": "Reading", "url": "https://example.org/data-meetings", "visibility": "team"}
    assert api("lena").post(url(world, "/resources"), link).status_code == 403
    bad = api("tom").post(url(world, "/resources"), {**link, "url": "ftp://example.org/"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "url"
    added = api("tom").post(url(world, "/resources"), link)
    assert added.status_code == 201
    assert added.json()["download_url"] is None
    assert [r["title"] for r in api("cora").get(url(world, "/resources")).json()["items"]] == [
        "Reading"
    ]
    assert api("lena").get(url(world, "/resources")).json()["items"] == []


def test_form_answers_are_checked_against_the_playbook(api, world):
    forms = api("cora").get(url(world, "/forms")).json()
    assert "participant-feedback" not in [f["key"] for f in forms]  # anonymous: by link only
    assert api("cora").get(url(world, "/forms/participant-feedback/responses")).status_code == 404
    bad = api("cora").post(
        url(world, "/forms/self-assessment/responses"), {"data": {"went_well": "x"}}
    )
    assert bad.status_code == 403  # the performer fills in the self-assessment
    bad = api("tom").post(
        url(world, "/forms/self-assessment/responses"),
        {"data": {"went_well": "Clear purpose", "rating": 9, "nonsense": "x"}},
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"rating", "differently", "nonsense"}
    good = api("tom").post(
        url(world, "/forms/self-assessment/responses"),
        {"data": {"went_well": "Clear purpose", "differently": "Less talk", "rating": 3}},
    )
    assert good.status_code == 201
    assert good.json()["visibility"] == "team"
    assert world.engagement.steps.get(step_key="self-assessment").status == StepStatus.DONE


def test_scores_are_given_by_the_coach_and_read_at_their_level(api, world):
    ratings = {
        c: {"level": 3, "evidence": "Seen"}
        for c in ("preparation", "purpose", "engagement", "data", "follow-through")
    }
    payload = {
        "rubric_key": "performance",
        "subject": "Data meeting",
        "ratings": ratings,
        "feedback": "Well prepared.",
    }
    assert api("tom").post(url(world, "/scores"), payload).status_code == 403
    missing = api("cora").post(url(world, "/scores"), {**payload, "ratings": {}})
    assert missing.status_code == 422
    assert "ratings.preparation" in {e["field"] for e in missing.json()["errors"]}
    created = api("cora").post(url(world, "/scores"), payload)
    assert created.status_code == 201
    assert created.json()["ratings"][0]["level_label"] == "Proficient"
    assert [s["subject"] for s in api("tom").get(url(world, "/scores")).json()["items"]] == [
        "Data meeting"
    ]
    assert api("lena").get(url(world, "/scores")).json()["items"] == []  # team level
    score_id = created.json()["id"]
    assert api("lena").get(url(world, f"/scores/{score_id}")).status_code == 404


def test_the_coach_reviews_a_portfolio_entry(api, world):
    entry = portfolios.entry_submit(
        actor=world.tom,
        engagement=world.engagement,
        title="Data meeting cycle",
        description="Agendas",
        upload=SimpleUploadedFile("cycle.pdf", PDF, content_type="application/pdf"),
    )
    listed = api("lena").get(url(world, "/portfolio")).json()["items"]  # sponsors level
    assert [e["title"] for e in listed] == ["Data meeting cycle"]
    revision = listed[0]["revisions"][0]
    assert revision["filename"] == "cycle.pdf"
    assert revision["download_url"].endswith(
        f"/portfolio/{entry.pk}/files/{entry.revisions.get().pk}/"
    )
    assert api("ada").get(url(world, "/portfolio")).json()["items"] == []
    review = url(world, f"/portfolio/{entry.pk}/review")
    assert api("tom").post(review, {"accept": True, "feedback": "Me"}).status_code == 403
    returned = api("cora").post(review, {"accept": False, "feedback": "Add the minutes."})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["reviews"][0]["feedback"] == "Add the minutes."
    assert api("cora").post(review, {"accept": True, "feedback": "x"}).status_code == 409

    portfolios.entry_revise(
        actor=world.tom, entry=entry, upload=SimpleUploadedFile("cycle-2.pdf", PDF)
    )
    unrated = api("cora").post(
        review, {"accept": True, "feedback": "Complete.", "ratings": {"complete": {"level": 3}}}
    )
    assert unrated.status_code == 422
    assert {e["field"] for e in unrated.json()["errors"]} == {
        "ratings.evidence",
        "ratings.reflection",
    }
    ratings = {c: {"level": 3} for c in ("complete", "evidence", "reflection")}
    accepted = api("cora").post(
        review, {"accept": True, "feedback": "Complete.", "ratings": ratings}
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert [r["revision"] for r in accepted.json()["reviews"]] == [2, 1]
    assert accepted.json()["reviews"][0]["score_id"] is not None
    assert world.engagement.steps.get(step_key="portfolio-review").status == StepStatus.DONE


def test_meeting_minutes_reach_only_their_readers(api, world):
    when = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    scheduled = api("cora").post(
        url(world, "/meetings"),
        {"meeting_type": "orientation", "starts_at": when, "mode": "video"},
    )
    assert scheduled.status_code == 201
    meeting_id = scheduled.json()["id"]
    assert scheduled.json()["length_minutes"] == 60
    stages = ["Welcome", "Process", "Roles", "What Lena sees", "Next"]
    saved = api("cora").put(
        url(world, f"/meetings/{meeting_id}/minutes"),
        {"stage_notes": stages, "summary": "Tom is keen."},
    )
    assert saved.status_code == 200
    assert saved.json()["status"] == "held"
    assert saved.json()["minutes"]["summary"] == "Tom is keen."
    assert world.engagement.steps.get(step_key="orientation").status == StepStatus.DONE
    overwrite = api("lena").put(
        url(world, f"/meetings/{meeting_id}/minutes"), {"stage_notes": [""] * 5, "summary": "x"}
    )
    assert overwrite.status_code == 403
    for name in ("ada", "lena", "dan"):  # team-level minutes: metadata only
        meetings = api(name).get(url(world, "/meetings")).json()["items"]
        assert [(m["id"], m["status"], m["minutes"]) for m in meetings] == [
            (meeting_id, "held", None)
        ], name
        assert "Tom is keen" not in api(name).get(url(world, "/meetings")).content.decode()
    assert api("tom").get(url(world, f"/meetings/{meeting_id}")).json()["minutes"]["stages"][0] == {
        "title": "Welcome and purpose",
        "note": "Welcome",
    }
    bad_mode = api("cora").post(
        url(world, "/meetings"),
        {"meeting_type": "orientation", "starts_at": when, "mode": "carrier pigeon"},
    )
    assert bad_mode.status_code == 400
    assert bad_mode.json()["errors"][0]["field"] == "mode"


def test_feedback_results_never_reveal_a_count_too_early(api, world):
    opened = api("cora").post(url(world, "/feedback"), {"form_key": "participant-feedback"})
    assert opened.status_code == 201
    assert "/f/" in opened.json()["answer_url"]
    first = world.engagement.feedback_collections.get()
    for n in range(6):
        feedback.answer_submit(
            token=first.token, data={"purpose": 4, "engagement": 3, "useful": 3 + n % 2}
        )
    small = api("cora").post(url(world, "/feedback"), {"form_key": "participant-feedback"})
    small_collection = world.engagement.feedback_collections.get(pk=small.json()["id"])
    for _ in range(4):
        feedback.answer_submit(
            token=small_collection.token, data={"purpose": 1, "engagement": 1, "useful": 1}
        )

    # Only the coaches get the link to share.
    link = opened.json()["answer_url"]
    assert [i["answer_url"] for i in api("cora").get(url(world, "/feedback")).json()["items"]] == [
        small.json()["answer_url"],
        link,
    ]
    assert {i["answer_url"] for i in api("tom").get(url(world, "/feedback")).json()["items"]} == {
        None
    }

    # Both open: no count, no figures, whatever the number of answers.
    for item in api("cora").get(url(world, "/feedback")).json()["items"]:
        assert item["is_open"] is True
        assert item["published"] is False
        assert item["respondents"] is None
        assert item["fields"] == []
        assert "closed" in item["reason"]

    # Closed with 4 answers: still nothing, and the reason names the threshold, not the count.
    closed = api("cora").post(url(world, f"/feedback/{small_collection.pk}/close"))
    assert closed.status_code == 200
    assert closed.json()["published"] is False
    assert closed.json()["respondents"] is None
    assert closed.json()["fields"] == []
    assert "Fewer than 5" in closed.json()["reason"]
    assert "4" not in closed.json()["reason"]

    # Closed with 6: published, through the same aggregation as the pages.
    published = api("cora").post(url(world, f"/feedback/{first.pk}/close")).json()
    assert published["published"] is True
    assert published["respondents"] == 6
    useful = next(f for f in published["fields"] if f["key"] == "useful")
    assert useful["counts"] == [
        {"value": "1", "count": 0},
        {"value": "2", "count": 0},
        {"value": "3", "count": 3},
        {"value": "4", "count": 3},
    ]
    assert useful["mean"] == 3.5
    comment = next(f for f in published["fields"] if f["key"] == "comment")
    assert comment["comments"] == []
    assert comment["comments_hidden"] is True
    # Team-level results: the sponsor sees nothing of them.
    assert api("lena").get(url(world, "/feedback")).json()["items"] == []
    assert api("lena").get(url(world, f"/feedback/{first.pk}")).status_code == 404


# --- Tenancy, playbooks, programmes, the day ----------------------------------------------------


def test_another_tenant_gets_404_on_every_engagement_endpoint(api, world):
    note = world.notes["programme"].pk
    reads = [
        "",
        "/agreement",
        "/notes",
        f"/notes/{note}",
        "/forms",
        "/forms/observation/responses",
        "/forms/observation/responses/1",
        "/plan",
        "/plan/versions",
        "/scores",
        "/scores/1",
        "/portfolio",
        "/portfolio/1",
        "/meetings",
        "/meetings/1",
        "/feedback",
        "/feedback/1",
        "/resources",
    ]
    writes = [
        ("post", "/steps/plan-orientation/complete", {}),
        ("post", "/steps/plan-orientation/reopen", {}),
        ("post", "/steps/barriers/skip", {"reason": "x"}),
        ("patch", "/steps/plan-orientation", {"checklist": [True, True, True]}),
        ("post", "/advance", {}),
        ("post", "/complete", {}),
        ("post", "/agreement/signatures", {"name": "Bea"}),
        ("post", "/notes", {"body": "x"}),
        ("post", "/forms/observation/responses", {"data": {"observed": "x", "evidence": "y"}}),
        ("put", "/plan", {"goals": GOALS, "base": 0}),
        ("post", "/plan/submit", {"number": 1}),
        ("post", "/plan/decision", {"number": 1, "approve": True}),
        (
            "post",
            "/scores",
            {"rubric_key": "performance", "subject": "x", "ratings": {}, "feedback": "x"},
        ),
        ("post", "/portfolio/1/review", {"accept": True, "feedback": "x"}),
        ("post", "/meetings", {"meeting_type": "orientation", "starts_at": None, "mode": "video"}),
        ("put", "/meetings/1/minutes", {"stage_notes": []}),
        ("post", "/meetings/1/cancel", {}),
        ("post", "/feedback", {"form_key": "participant-feedback"}),
        ("post", "/feedback/1/close", {}),
        ("post", "/resources", {"title": "x", "url": "https://example.org/"}),
    ]
    missing = api("bea").get("/api/engagements/999999").json()
    for name in ("bea", "ben"):
        outsider = api(name)
        assert outsider.get("/api/engagements").json()["items"] == []
        for rest in reads:
            response = outsider.get(url(world, rest))
            assert response.status_code == 404, (name, rest)
            assert response.json() == missing
        for method, rest, body in writes:
            response = getattr(outsider, method)(url(world, rest), body)
            assert response.status_code == 404, (name, method, rest, response.content)
    assert (
        api("bea")
        .post(
            f"/api/programmes/{world.engagement.programme_id}/engagements",
            new_engagement_payload(world),
        )
        .status_code
        == 404
    )
    assert (
        api("bea").get(f"/api/programmes/{world.engagement.programme_id}/overview").status_code
        == 404
    )
    assert not world.engagement.notes.filter(author=world.bea).exists()


def test_playbooks_show_their_definition_and_versions(api, world):
    listed = api("tom").get("/api/playbooks").json()["items"]
    performance = next(p for p in listed if p["key"] == "performance-coaching")
    assert performance["is_builtin"] is True
    body = api("tom").get(f"/api/playbooks/{performance['id']}").json()
    number = body["current_version"]
    assert body["version"]["number"] == number
    assert body["version"]["definition"]["plan"]["short_name"] == "IPCAP"
    assert body["version"]["definition"]["phases"][0]["key"] == "pre-coaching"
    assert number in [v["number"] for v in body["versions"]]
    version = api("tom").get(f"/api/playbooks/{performance['id']}/versions/{number}")
    assert version.json()["definition"]["key"] == "performance-coaching"
    assert api("tom").get(f"/api/playbooks/{performance['id']}/versions/999").status_code == 404


def test_programmes_are_created_by_administrators_and_show_an_overview(api, world):
    playbook_id = world.engagement.playbook_version.playbook_id
    payload = {
        "organisation_id": world.district.pk,
        "name": "Teacher coaching 2027",
        "playbook_id": playbook_id,
        "coaches": ["cora@a.test"],
        "starts_on": "2027-01-01",
        "ends_on": "2026-12-31",
    }
    backwards = api("ada").post("/api/programmes", payload)
    assert backwards.status_code == 400
    assert backwards.json()["errors"][0]["field"] == "ends_on"
    created = api("ada").post("/api/programmes", {**payload, "ends_on": None})
    assert created.status_code == 201
    assert created.json()["playbook_name"] == "Performance coaching"
    assert api("cora").post("/api/programmes", {**payload, "name": "Mine"}).status_code == 403
    assert (
        api("ada")
        .post("/api/programmes", {**payload, "organisation_id": world.pine.pk})
        .status_code
        == 404
    )

    names = {p["name"] for p in api("ada").get("/api/programmes").json()["items"]}
    assert names == {"Leadership performance coaching", "Teacher coaching 2027"}
    assert api("ben").get("/api/programmes").json()["items"] == []

    overview = api("ada").get(f"/api/programmes/{world.engagement.programme_id}/overview").json()
    assert overview["active"] == 1
    assert overview["completed"] == 0
    assert {"key": "pre-coaching", "title": "Pre-coaching", "count": 1} in overview["by_phase"]
    # The engagement started on 1 September 2026; steps past their due date are overdue.
    today = timezone.localdate()
    overdue = world.engagement.steps.filter(due_on__lt=today).count()
    assert overview["overdue_count"] == overdue
    assert len(overview["overdue"]) == min(overdue, 50)


def test_today_and_sponsoring(api, world):
    engagement = services.engagement_create(
        actor=world.ada,
        programme=world.engagement.programme,
        people=People(coachees=[world.tom], coaches=[world.cora], sponsors=[world.lena]),
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        title="Current coaching",
    )
    today = api("cora").get("/api/me/today").json()
    due = [(s["engagement_id"], s["step_key"]) for s in today["due"]]
    assert (engagement.pk, "review-assignment") in due
    assert api("sam").get("/api/me/today").json()["due"] == []

    api("cora").put(
        f"/api/engagements/{engagement.pk}/plan", {"summary": "", "goals": GOALS, "base": 0}
    )
    api("cora").post(f"/api/engagements/{engagement.pk}/plan/submit", {"number": 1})
    assert [
        p["engagement_id"] for p in api("lena").get("/api/me/today").json()["approvals_to_give"]
    ] == [engagement.pk]
    sponsoring = api("lena").get("/api/me/sponsoring").json()
    rows = {e["id"]: e for e in sponsoring["engagements"]}
    assert set(rows) == {world.engagement.pk, engagement.pk}
    assert rows[engagement.pk]["plan"] == {
        "status": "submitted",
        "number": 1,
        "approved_number": None,
    }
    assert rows[engagement.pk]["steps_total"] == 31
    assert sponsoring["awaiting"] == [engagement.pk]
    assert api("tom").get("/api/me/sponsoring").json() == {"engagements": [], "awaiting": []}


def test_a_read_only_token_reads_but_cannot_complete_a_step(client, world):
    _token, raw = token_create(user=world.cora, name="ro", read_only=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(url(world), **headers).status_code == 200
    world.engagement.steps.filter(step_key="plan-orientation").update(
        checklist_done=[True, True, True]
    )
    response = client.post(url(world, "/steps/plan-orientation/complete"), **headers)
    assert response.status_code == 401
    assert world.engagement.steps.get(step_key="plan-orientation").status == StepStatus.OPEN


# --- Queries ------------------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx)


def test_the_engagement_detail_takes_the_same_queries_with_more_engagements(api, world):
    cora = api("cora")
    path = url(world)
    count_queries(cora, path)  # warm the playbook cache
    one = count_queries(cora, path)
    listed_one = count_queries(cora, "/api/engagements")
    for n in range(9):
        services.engagement_create(
            actor=world.ada,
            programme=world.engagement.programme,
            people=People(
                coachees=[world.tom],
                coaches=[world.cora],
                sponsors=[world.lena],
                district_reps=[world.dan],
            ),
            starts_on=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
        )
    assert Engagement.objects.count() == 10
    ten = count_queries(cora, path)
    assert ten == one, f"{one} queries with 1 engagement, {ten} with 10"
    listed_ten = count_queries(cora, "/api/engagements")
    assert listed_ten == listed_one


def test_malformed_requests_get_the_one_error_shape(api, world, client):
    cora = api("cora")
    response = client.post(
        url(world, "/plan/submit"), "not json", content_type="application/json", **cora.headers
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": (
            "The request body is not valid JSON; send JSON with Content-Type: application/json."
        ),
        "errors": [],
    }
    response = cora.get(url(world, "/meetings/first"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "meeting_id"
    response = cora.put(url(world, "/plan"), {"goals": "many", "base": -1})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"goals", "base"}
    response = cora.get("/api/engagements?role=boss")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


def test_minutes_saved_over_a_newer_revision_answer_409(world, client):
    import datetime as dt

    from django.utils import timezone as tz

    cora = Api(client, world.cora)
    pk = world.engagement.pk
    created = cora.post(
        f"/api/engagements/{pk}/meetings",
        {
            "meeting_type": "orientation",
            "starts_at": (tz.now() - dt.timedelta(hours=1)).isoformat(),
            "mode": "in_person",
        },
    )
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["revision"] == 0
    url = f"/api/engagements/{pk}/meetings/{meeting['id']}/minutes"
    body = {"stage_notes": [""] * len(meeting["agenda"]), "summary": "First", "base": 0}
    assert cora.put(url, body).status_code == 200
    stale = cora.put(url, {**body, "summary": "Second"})
    assert stale.status_code == 409
    assert "after you opened them" in stale.json()["detail"]
