"""The practice-profile pages: the form with each function's level descriptors, errors per
function with the typed input kept, the assessment page, the side-by-side page over time, and
the sections of the coach's development page; 404 for who may not see, 403 for who may not
rate."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from coachloop.coaches import profile
from coachloop.engagements.models import ParticipantRole
from coachloop.rubrics.models import RubricScore
from coachloop.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

FUNCTIONS = (
    "relationships",
    "improvement-process",
    "responsive-communication",
    "solution-dialogue",
    "reviewing-data",
)


def assess_url(coachdev):
    return f"/engagements/{coachdev.development.pk}/profile/assess/"


def profile_url(world):
    return f"/coaches/{world.cora.pk}/profile/"


def form_data(levels, evidence=True, **extra):
    data = {}
    for key in FUNCTIONS:
        if levels.get(key) is not None:
            data[f"c-{key}-level"] = str(levels[key])
        if evidence:
            data[f"c-{key}-evidence"] = f"Heard {key}"
    data.update(extra)
    return data


def test_the_form_shows_every_function_with_its_level_descriptors(coachdev, world, signed_in):
    client = signed_in(world.cora)
    page = client.get(assess_url(coachdev)).content.decode()
    assert "<h1>Rate your own coaching practice</h1>" in page
    assert page.count('<fieldset class="criterion') == 5
    assert "<legend>Reviewing data with the coached educator</legend>" in page
    assert "Data is shared with the educator but not interpreted together." in page
    assert 'type="radio" name="c-reviewing-data-level" value="4"' in page
    assert 'name="observed_on"' not in page  # the coach rates today, no observation
    lead = signed_in(coachdev.lola).get(assess_url(coachdev)).content.decode()
    assert f"Rate {world.cora} from an observed coaching conversation" in lead
    assert 'name="observed_on"' in lead
    assert 'name="subject"' in lead


def test_a_self_assessment_with_one_wrong_function_keeps_what_was_typed(coachdev, world, signed_in):
    client = signed_in(world.cora)
    levels = {**dict.fromkeys(FUNCTIONS, 2), "solution-dialogue": None}
    response = client.post(
        assess_url(coachdev), form_data(levels, summary="Talk about data please")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choose a level for “Engaging in solution-driven dialogue”." in body
    assert 'aria-describedby="criterion-solution-dialogue-error"' in body
    assert 'name="c-relationships-level" value="2" id="id_c-relationships-level_1" checked' in body
    assert "Heard relationships" in body
    assert "Talk about data please" in body
    assert not RubricScore.objects.exists()

    response = client.post(assess_url(coachdev), form_data(dict.fromkeys(FUNCTIONS, 2)))
    score = RubricScore.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/profile/assessments/{score.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert f"Self-assessment: {world.cora}" in detail
    assert "Heard reviewing-data" in detail


def test_the_lead_assessment_needs_evidence_and_a_past_day(coachdev, world, signed_in):
    client = signed_in(coachdev.lola)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = form_data(dict.fromkeys(FUNCTIONS, 3), evidence=False)
    data.update(
        {
            "observed_on": tomorrow.isoformat(),
            "subject": "Conversation with a Grade 4 teacher",
            "summary": "Strong start",
            "c-relationships-evidence": "Set out confidentiality at the start",
        }
    )
    response = client.post(assess_url(coachdev), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "The day observed cannot be in the future." in body
    assert body.count("write the evidence you observed for this function.") == 4
    assert "Set out confidentiality at the start" in body
    assert "Conversation with a Grade 4 teacher" in body
    assert not RubricScore.objects.exists()

    good = form_data(dict.fromkeys(FUNCTIONS, 3))
    good.update(
        {
            "observed_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "subject": "Conversation with a Grade 4 teacher",
            "summary": "Strong start",
        }
    )
    response = client.post(assess_url(coachdev), good)
    assert response.status_code == 302
    score = RubricScore.objects.get()
    assert (score.perspective, score.author) == ("lead", coachdev.lola)


def test_who_may_open_the_form(coachdev, world, signed_in):
    client = signed_in(world.ada)
    # Ada follows Cora: the form sends her to the ratings; she may not post one
    response = client.get(assess_url(coachdev))
    assert response.status_code == 302
    assert response["Location"] == profile_url(world)
    posted = client.post(assess_url(coachdev), form_data(dict.fromkeys(FUNCTIONS, 2)))
    assert posted.status_code == 403
    # Carl takes part as the programme lead, follows no one: 403 with the reason
    ParticipantFactory(
        engagement=coachdev.development, user=coachdev.carl, role=ParticipantRole.SPONSOR
    )
    client = signed_in(coachdev.carl)
    refused = client.get(assess_url(coachdev), follow=True)
    assert refused.status_code == 403
    assert "lead coach rate on the practice profile" in refused.content.decode()
    # who cannot see the engagement: 404; an instructional engagement has no profile: 404
    assert signed_in(world.tom).get(assess_url(coachdev)).status_code == 404
    other = f"/engagements/{coachdev.engagements[0].pk}/profile/assess/"
    assert signed_in(world.cora).get(other).status_code == 404
    assert not RubricScore.objects.exists()


def make_history(coachdev, world):
    today = timezone.localdate()
    ratings = {k: {"level": 2, "evidence": "e"} for k in FUNCTIONS}
    profile.assess(
        actor=world.cora,
        engagement=coachdev.development,
        perspective="self",
        ratings=ratings,
        observed_on=today - dt.timedelta(days=30),
    )
    profile.assess(
        actor=coachdev.lola,
        engagement=coachdev.development,
        perspective="lead",
        ratings={**ratings, "reviewing-data": {"level": 1, "evidence": "No data shown"}},
        observed_on=today - dt.timedelta(days=20),
        subject="Conversation with a Grade 4 teacher",
        summary="Bring the data",
    )
    profile.assess(
        actor=world.cora,
        engagement=coachdev.development,
        perspective="self",
        ratings={**ratings, "reviewing-data": {"level": 3, "evidence": ""}},
    )


def test_the_profile_page_shows_ratings_side_by_side_over_time(coachdev, world, signed_in):
    make_history(coachdev, world)
    for reader in (world.cora, coachdev.lola, world.ada):
        response = signed_in(reader).get(profile_url(world))
        assert response.status_code == 200, reader
    body = response.content.decode()
    assert "Latest ratings, side by side" in body
    # reviewing data: self 3 (latest), lead 1, gap -2
    row = body[body.index('<a href="#fn-reviewing-data">') :]
    row = row[: row.index("</tr>")]
    assert "<strong>3</strong> Proficient" in row
    assert "<strong>1</strong> Beginning" in row
    assert ">-2<" in row
    assert body.count('<svg role="img"') == 5
    assert "Every assessment of “Reviewing data with the coached educator” by date" in body
    scores = list(RubricScore.objects.order_by("observed_on"))
    for score in scores:
        assert f'href="/profile/assessments/{score.pk}/"' in body
    assert "Conversation with a Grade 4 teacher" in body


def test_the_profile_page_is_hidden_from_who_does_not_follow_the_coach(coachdev, world, signed_in):
    make_history(coachdev, world)
    score = RubricScore.objects.first()
    for outsider in (world.tom, world.lena, coachdev.carl, world.bea):
        client = signed_in(outsider)
        assert client.get(profile_url(world)).status_code == 404, outsider
        assert client.get(f"/profile/assessments/{score.pk}/").status_code == 404, outsider


def test_empty_profile_links_to_the_first_assessment(coachdev, world, signed_in):
    body = signed_in(world.cora).get(profile_url(world)).content.decode()
    assert "No practice-profile assessment yet." in body
    assert "Start your self-assessment" in body
    body = signed_in(coachdev.lola).get(profile_url(world)).content.decode()
    assert f"Observe a coaching conversation and rate {world.cora}" in body
    body = signed_in(world.ada).get(profile_url(world)).content.decode()
    assert "No practice-profile assessment yet." in body
    assert f'href="{assess_url(coachdev)}"' not in body


def test_the_development_page_sections(coachdev, world):
    make_history(coachdev, world)
    html = render_to_string(
        "coaches/_profile_section.html",
        {"section": profile.profile_section(world.ada, world.cora)},
    )
    assert "Reviewing data with the coached educator" in html
    assert "<strong>1</strong> Beginning" in html
    assert f'href="/coaches/{world.cora.pk}/profile/"' in html
    html = render_to_string(
        "coaches/_growth_section.html",
        {"section": profile.growth_section(world.cora, world.cora)},
    )
    assert "Developing Cora" in html
    assert str(coachdev.lola) in html
    assert f'href="/engagements/{coachdev.development.pk}/plan/"' in html
    assert f'href="/engagements/{coachdev.development.pk}/action-steps/"' in html


def test_the_engagement_page_links_to_the_practice_profile(coachdev, world, signed_in):
    client = signed_in(world.cora)
    page = client.get(f"/engagements/{coachdev.development.pk}/").content.decode()
    assert f'<a href="{assess_url(coachdev)}">Practice profile</a>' in page
    other = client.get(f"/engagements/{coachdev.engagements[0].pk}/").content.decode()
    assert "/profile/assess/" not in other
