"""The performance coaching model in the browser, with axe on every page: the IPCAP drafted (and
a conflicting save shown with what changed), sent and approved; a performance scored on the
rubric; a portfolio entry submitted, returned and accepted; anonymous participant feedback
collected by link and closed. Earlier states are made through the services, so each test signs
in once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.engagements.models import StepStatus
from coachloop.feedback import services as feedback
from coachloop.feedback.models import FeedbackAnswer, FeedbackCollection
from coachloop.plans import services as plans
from coachloop.plans.models import Plan, PlanStatus
from coachloop.portfolios import services as portfolios
from coachloop.portfolios.models import EntryStatus, PortfolioEntry
from coachloop.rubrics.models import RubricScore

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
GOAL = {"title": "Run monthly data meetings", "measure": "4 of 4 held", "evidence": "Minutes"}


def test_the_coach_drafts_the_ipcap_meets_a_conflict_and_sends_it(checked, world):
    sign_in(checked, world.cora)
    page = checked.page
    base = f"/engagements/{world.engagement.pk}/plan/"
    checked.goto(base)
    expect(page.get_by_role("heading", level=1)).to_contain_text("IPCAP")
    page.get_by_label("Summary").fill("Lead data meetings that change teaching.")
    page.locator("#id_goals-0-title").fill(GOAL["title"])
    page.locator("#id_goals-0-measure").fill(GOAL["measure"])
    page.locator("#id_goals-0-evidence").fill(GOAL["evidence"])
    page.get_by_role("button", name="Add another goal").click()
    expect(page.locator("#id_goals-2-title")).to_be_visible()
    expect(page.locator("#id_goals-0-title")).to_have_value(GOAL["title"])
    checked.axe()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The plan was saved.")
    expect(page.get_by_role("table")).to_contain_text(GOAL["title"])
    checked.axe()

    # Tom saves a version 2 while Cora's page still shows version 1.
    plans.plan_save(
        actor=world.tom,
        engagement=world.engagement,
        summary="Lead data meetings that change teaching.",
        goals=[GOAL, {"title": "Coach two team leads", "measure": "2 leads coached"}],
        base=1,
    )
    page.locator("#id_goals-1-title").fill("Share the data wall")
    page.locator("#id_goals-1-measure").fill("Wall updated monthly")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", name="The plan changed since you opened it")).to_be_visible()
    expect(page.locator(".diff ins").first).to_contain_text("Coach two team leads")
    expect(page.locator("#id_goals-1-title")).to_have_value("Share the data wall")
    checked.axe()
    assert Plan.objects.get(engagement=world.engagement).number == 2

    # Having read what changed, she saves hers as the next version, and sends it.
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The plan was saved.")
    page.get_by_role("button", name="Send to the sponsor for approval").click()
    expect(page.locator("dd .badge").first).to_have_text("Awaiting approval")
    checked.axe()
    plan = Plan.objects.get(engagement=world.engagement)
    assert (plan.number, plan.status) == (3, PlanStatus.SUBMITTED)

    checked.goto(f"{base}versions/")
    page.get_by_role("link", name="What changed from version 2 to 3").click()
    expect(page.locator(".diff del").first).to_contain_text("Coach two team leads")
    checked.axe()


def test_the_sponsor_approves_the_ipcap(checked, world):
    version = plans.plan_save(
        actor=world.cora,
        engagement=world.engagement,
        summary="Lead data meetings that change teaching.",
        goals=[GOAL],
        base=0,
    )
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=version.number)
    sign_in(checked, world.lena)
    page = checked.page
    checked.goto(f"/engagements/{world.engagement.pk}/plan/")
    expect(page.get_by_role("table")).to_contain_text(GOAL["measure"])
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_role("status")).to_contain_text("You approved the plan.")
    expect(page.locator("dd .badge").first).to_have_text("Approved")
    checked.axe()
    assert Plan.objects.get(engagement=world.engagement).status == PlanStatus.APPROVED
    step = world.engagement.steps.get(step_key="ipcap-approval")
    assert step.status == StepStatus.DONE


def test_the_performer_submits_a_portfolio_entry(checked, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    (tmp_path / "renamed.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    (tmp_path / "cycle.pdf").write_bytes(PDF)
    sign_in(checked, world.tom)
    page = checked.page
    checked.goto(f"/engagements/{world.engagement.pk}/portfolio/")
    page.get_by_label("Title").fill("Data meeting cycle")
    page.get_by_label("What it shows").fill("Agendas and minutes of three meetings")
    page.get_by_label("File").set_input_files(tmp_path / "renamed.pdf")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".error")).to_contain_text("is not a file type we accept")
    expect(page.get_by_label("Title")).to_have_value("Data meeting cycle")
    checked.axe()
    assert not PortfolioEntry.objects.exists()
    page.get_by_label("File").set_input_files(tmp_path / "cycle.pdf")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data meeting cycle")
    expect(page.locator("dd .badge").first).to_have_text("Awaiting review")
    expect(page.get_by_role("link", name="cycle.pdf")).to_be_visible()
    checked.axe()


def test_the_coach_scores_reviews_the_portfolio_and_collects_feedback(
    checked, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    entry = portfolios.entry_submit(
        actor=world.tom,
        engagement=world.engagement,
        title="Data meeting cycle",
        description="Agendas",
        upload=SimpleUploadedFile("cycle.pdf", PDF),
    )
    sign_in(checked, world.cora)
    page = checked.page
    engagement = world.engagement.pk

    # Scoring the performance on the rubric; a missing level is named, the rest kept.
    checked.goto(f"/engagements/{engagement}/scores/")
    page.get_by_role("link", name="Score on “Performance task scoring”").click()
    checked.axe()
    page.get_by_label("What was scored").fill("Data meeting, practice")
    for key in ("preparation", "purpose", "engagement", "follow-through"):
        page.locator(f"#id_c-{key}-level_2").check()
    page.get_by_label("Written feedback").fill("A well-prepared meeting.")
    page.get_by_role("button", name="Save the score").click()
    expect(page.locator("#criterion-data .error")).to_have_text(
        "Choose a level for “Using data and evidence”."
    )
    expect(page.locator("#id_c-preparation-level_2")).to_be_checked()
    checked.axe()
    page.locator("#id_c-data-level_1").check()
    page.get_by_role("button", name="Save the score").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data meeting, practice")
    expect(page.get_by_role("table")).to_contain_text("Emerging")
    checked.axe()
    assert RubricScore.objects.filter(engagement=world.engagement).count() == 1

    # Reviewing the portfolio entry: returned with feedback, then (revised) accepted.
    checked.goto(f"/engagements/{engagement}/portfolio/{entry.pk}/")
    page.get_by_label("Feedback").fill("Add the minutes of the third meeting.")
    page.get_by_label("Return for revision").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("dd .badge").first).to_have_text("Returned for revision")
    checked.axe()
    portfolios.entry_revise(
        actor=world.tom, entry=entry, upload=SimpleUploadedFile("cycle-2.pdf", PDF), note="Added"
    )
    page.reload()
    page.get_by_label("Feedback").fill("Complete.")
    page.get_by_label("Accept and archive").check()
    for key in ("complete", "evidence", "reflection"):
        page.locator(f"#id_r-{key}-level_2").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("dd .badge").first).to_have_text("Accepted and archived")
    checked.axe()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACCEPTED

    # Anonymous participant feedback: open, share the link, close, read the results.
    checked.goto(f"/engagements/{engagement}/feedback/")
    page.get_by_role("button", name="Open and get the link").click()
    expect(page.get_by_role("heading", name="Collecting answers")).to_be_visible()
    checked.axe()
    collection = FeedbackCollection.objects.get()
    link = page.get_by_label("Link to share with the people who took part")
    expect(link).to_have_value(f"{checked.base_url}/f/{collection.token}/")
    for n in range(5):
        feedback.answer_submit(
            token=collection.token, data={"purpose": 4, "engagement": 3, "useful": 1 + n % 4}
        )
    page.get_by_role("link", name="Close and see results").click()
    checked.axe()
    page.get_by_role("button", name="Close and see results").click()
    expect(page.get_by_text("5 people answered.")).to_be_visible()
    expect(
        page.get_by_text("Comments are shown only when at least 10 people answered")
    ).to_be_visible()
    checked.axe()


def test_a_respondent_answers_without_an_account(checked, world):
    collection = feedback.collection_open(
        actor=world.cora, engagement=world.engagement, form_key="participant-feedback"
    )
    page = checked.page
    checked.goto(f"/f/{collection.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Participant feedback")
    page.get_by_label("What would have made the session better?").fill("More time")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Some answers need attention")
    expect(page.get_by_label("What would have made the session better?")).to_have_value("More time")
    checked.axe()
    for key in ("purpose", "engagement", "useful"):
        page.locator(f"#id_{key}_3").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    checked.axe()
    assert FeedbackAnswer.objects.filter(collection=collection).count() == 1
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert names <= {"coachloop-csrf"}
