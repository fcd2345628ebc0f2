"""Action steps and the library in the browser, with axe on every page: Cora picks a step from
the library for Tom, they study it, she marks it mastered and sets the next one; Ada starts from
the starter library, then imports a bad file (every problem by line) and a good one."""

import pytest
from playwright.sync_api import expect

from coachloop.actionsteps import services
from coachloop.actionsteps.models import ActionStep, Cycle
from coachloop.e2e.conftest import sign_in
from coachloop.testing.personas import build_instructional

pytestmark = pytest.mark.browser


@pytest.fixture
def instructional(world):
    world.tom.given_name = "Tom"
    world.tom.save()
    return build_instructional(world)


def test_cora_picks_studies_masters_and_sets_the_next_step(checked, world, instructional):
    services.library_start_from_starter(actor=world.ada, organisation=world.district)
    page = checked.page
    sign_in(checked, world.cora)
    checked.goto(f"/engagements/{instructional.pk}/action-steps/")
    expect(page.get_by_text("No action step yet")).to_be_visible()
    page.get_by_role("link", name="New action step").click()
    expect(page.get_by_role("heading", name="New action step", level=1)).to_be_visible()
    checked.axe()

    page.get_by_label("Search the library").fill("wait")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Questioning")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Wait after asking a question").click()
    expect(page.get_by_label("Action step", exact=True)).to_have_value(
        "Wait after asking a question"
    )
    expect(page.get_by_label("Success criteria")).to_contain_text("three seconds")
    checked.axe()
    page.get_by_role("button", name="Set the action step").click()

    expect(
        page.get_by_role("heading", name="Wait after asking a question", level=1)
    ).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("is Tom's current action step")
    expect(page.get_by_role("heading", name="What effective practice looks like")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="We have studied this").click()
    expect(page.get_by_role("status")).to_contain_text("Study done for this cycle")
    expect(page.get_by_text("studied on")).to_be_visible()
    assert Cycle.objects.get(engagement=instructional).studied_on is not None
    checked.axe()

    page.get_by_text("Add a link or a file").click()
    page.get_by_label("Title").fill("Wait time in practice")
    page.get_by_label("Link").fill("not a link")
    page.get_by_role("button", name="Add resource").click()
    expect(page.get_by_text("A link starts with https:// or http://.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Wait time in practice")
    checked.axe()
    page.get_by_label("Link").fill("https://example.org/wait")
    page.get_by_role("button", name="Add resource").click()
    expect(page.get_by_role("link", name="Wait time in practice")).to_be_visible()

    page.get_by_role("link", name="Mark mastered").click()
    expect(page.get_by_role("heading", name="Mark this step mastered?")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Mark mastered").click()
    expect(page.get_by_role("heading", name="New action step", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("is mastered. Choose the next action step.")
    checked.axe()

    page.get_by_label("Action step", exact=True).fill("Call on students rather than hands up")
    page.get_by_label("Success criteria").fill("Asks everyone first\nThen names a student")
    page.get_by_role("button", name="Set the action step").click()
    expect(
        page.get_by_role("heading", name="Call on students rather than hands up", level=1)
    ).to_be_visible()

    checked.goto(f"/engagements/{instructional.pk}/action-steps/")
    history = page.get_by_role("table")
    expect(history).to_contain_text("Wait after asking a question")
    expect(history).to_contain_text("Mastered")
    statuses = dict(ActionStep.objects.values_list("title", "status"))
    assert statuses == {
        "Wait after asking a question": "mastered",
        "Call on students rather than hands up": "current",
    }


def test_a_second_step_offers_to_close_the_current_one(checked, world, instructional):
    services.action_step_create(
        actor=world.cora,
        engagement=instructional,
        title="Greet students at the door",
        success_criteria=["Greets every student"],
    )
    page = checked.page
    sign_in(checked, world.cora)
    checked.goto(f"/engagements/{instructional.pk}/action-steps/new/")
    page.get_by_label("Action step", exact=True).fill("Use a countdown")
    page.get_by_label("Success criteria").fill("Counts down from five")
    page.get_by_role("button", name="Set the action step").click()
    expect(page.get_by_text("Tom already has a current action step")).to_be_visible()
    expect(page.get_by_label("Action step", exact=True)).to_have_value("Use a countdown")
    checked.axe()
    page.get_by_label("Paused").check()
    page.get_by_role("button", name="Set the action step").click()
    expect(page.get_by_role("heading", name="Use a countdown", level=1)).to_be_visible()
    assert ActionStep.objects.get(title="Greet students at the door").status == "paused"


def test_ada_starts_the_library_then_imports_a_bad_then_a_good_file(checked, world):
    page = checked.page
    sign_in(checked, world.ada)
    checked.goto("/library/")
    page.get_by_role("button", name="Start from Coachloop's starter library").click()
    expect(page.get_by_role("status")).to_contain_text("starter library")
    expect(page.get_by_role("heading", name="Routines and procedures")).to_be_visible()
    checked.axe()

    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", name="Import a library", level=1)).to_be_visible()
    checked.axe()
    page.get_by_label("Or paste the file's text").fill(
        "category,step,success_criteria\n"
        "Routines and procedures,,Something\n"
        "Questioning,Cold call,\n"
    )
    page.get_by_role("button", name="Check and import").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported: 2 problems to fix")
    expect(problems).to_contain_text("Give the action step a title.")
    expect(problems.get_by_role("row").nth(1)).to_contain_text("2")
    checked.axe()

    page.get_by_label("Or paste the file's text").fill(
        "category,step,success_criteria\nQuestioning,Cold call,Asks first | Then names\n"
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text("1 steps added")
    page.get_by_label("Search").fill("cold call")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Cold call")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Cold call").click()
    expect(page.get_by_role("heading", name="Cold call", level=1)).to_be_visible()
    checked.axe()


def test_ada_keeps_categories_and_steps_by_hand(checked, world):
    page = checked.page
    sign_in(checked, world.ada)
    checked.goto("/library/")
    page.get_by_role("link", name="Add a category").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a category")
    checked.axe()
    page.get_by_label("Category").fill("Behaviour")
    page.get_by_label("The larger goal it serves").fill("Calm, purposeful lessons.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Behaviour")).to_be_visible()
    expect(page.get_by_text("No steps in this category yet.")).to_be_visible()
    checked.axe()

    page.get_by_role("link", name="Add a step (Behaviour)").click()
    checked.axe()
    page.get_by_label("Action step").fill("Narrate the positive")
    page.get_by_label("Success criteria").fill("Names three students who are on task")
    page.get_by_label("Resources").fill("no link here")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("needs a link starting with https://")).to_be_visible()
    expect(page.get_by_label("Action step")).to_have_value("Narrate the positive")
    checked.axe()
    page.get_by_label("Resources").fill("Narration | https://example.org/narrate")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Narrate the positive").click()
    expect(page.get_by_role("link", name="Narration")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit the step")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Remove this step").click()
    expect(page.get_by_role("heading", name="Remove “Narrate the positive”?")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("removed from the library")

    page.get_by_role("link", name="Edit Behaviour").click()
    checked.axe()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Remove Behaviour").click()
    expect(page.get_by_role("heading", name="Remove “Behaviour”?")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("Category “Behaviour” removed.")
