"""Scoring a performance on the playbook's rubric: every criterion named when it lacks a level,
nothing typed lost, the step done, and the score read only by whom its visibility allows."""

import pytest

from coachloop.access.models import Visibility
from coachloop.engagements.models import StepStatus
from coachloop.rubrics.models import RubricScore
from coachloop.rubrics.services import score_create

CRITERIA = ("preparation", "purpose", "engagement", "data", "follow-through")


def new_url(world, rubric="performance"):
    return f"/engagements/{world.engagement.pk}/scores/new/{rubric}/"


def score_post(levels, **extra):
    data = {
        "subject": "Data meeting, practice",
        "feedback": "A well-prepared meeting.",
        "visibility": Visibility.TEAM,
    }
    for key, level in levels.items():
        data[f"c-{key}-level"] = level
        data[f"c-{key}-evidence"] = f"Evidence for {key}"
    data.update(extra)
    return data


@pytest.fixture
def cora(world, signed_in):
    return signed_in(world.cora)


def test_the_scoring_page_shows_each_criterion_with_its_level_descriptors(world, cora):
    page = cora.get(new_url(world)).content.decode()
    assert page.count('<fieldset class="criterion') == 5
    assert "<legend>Planning and preparation</legend>" in page
    assert "Planned for the purpose, with materials ready." in page
    assert 'type="radio" name="c-preparation-level" value="3"' in page
    assert '<option value="team" selected>' in page  # the playbook's default for scores


def test_a_criterion_without_a_level_is_named_and_the_others_are_kept(world, cora):
    levels = {key: "3" for key in CRITERIA if key != "data"}
    response = cora.post(new_url(world), score_post(levels))
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choose a level for “Using data and evidence”." in body
    assert 'value="3" id="id_c-preparation-level_2" checked' in body
    assert "Evidence for preparation" in body
    assert "A well-prepared meeting." in body
    assert not RubricScore.objects.exists()


def test_missing_feedback_and_a_missing_level_are_said_together(world, cora):
    levels = {key: "2" for key in CRITERIA if key != "purpose"}
    response = cora.post(new_url(world), score_post(levels, feedback=""))
    assert response.status_code == 422
    assert "Write the feedback that goes with the scores." in response.content.decode()
    assert "Choose a level for “Communicating purpose”." in response.content.decode()


def test_a_valid_score_is_saved_and_the_step_is_done(world, cora):
    response = cora.post(new_url(world), score_post(dict.fromkeys(CRITERIA, "3")))
    score = RubricScore.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/engagements/{world.engagement.pk}/scores/{score.pk}/"
    assert score.ratings.count() == 5
    assert score.visibility == Visibility.TEAM
    assert world.engagement.steps.get(step_key="score").status == StepStatus.DONE
    detail = cora.get(response["Location"]).content.decode()
    assert "Proficient" in detail
    assert "Evidence for data" in detail
    assert "A well-prepared meeting." in detail


def test_an_unknown_rubric_is_404_and_only_coaches_score(world, cora, signed_in):
    assert cora.get(new_url(world, "nonsense")).status_code == 404
    assert signed_in(world.tom).get(new_url(world)).status_code == 403
    assert signed_in(world.tina).get(new_url(world)).status_code == 404


def test_a_team_score_is_read_by_the_performer_not_by_the_sponsor(world, signed_in):
    score = score_create(
        actor=world.cora,
        engagement=world.engagement,
        rubric_key="performance",
        subject="Practice session",
        ratings={key: {"level": 2} for key in CRITERIA},
        feedback="Keep going.",
        visibility=Visibility.TEAM,
    )
    detail = f"/engagements/{world.engagement.pk}/scores/{score.pk}/"
    listing = f"/engagements/{world.engagement.pk}/scores/"
    tom = signed_in(world.tom)
    assert tom.get(detail).status_code == 200
    assert b"Practice session" in tom.get(listing).content
    assert b"Score on" not in tom.get(listing).content  # only coaches score
    lena = signed_in(world.lena)
    assert lena.get(detail).status_code == 404
    assert b"Practice session" not in lena.get(listing).content
    assert signed_in(world.ada).get(detail).status_code == 404


def test_the_list_offers_each_rubric_of_the_playbook_to_the_coach(world, cora):
    page = cora.get(f"/engagements/{world.engagement.pk}/scores/").content.decode()
    assert "No scores you can read yet." in page
    assert new_url(world, "performance") in page
    assert new_url(world, "portfolio") in page
