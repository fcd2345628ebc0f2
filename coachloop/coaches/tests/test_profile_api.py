"""The practice profile through the API: the same rules as the pages. 201 for the coach and the
lead coach; 422 naming each wrong function (`ratings.<function>`); 403 for who may see but not
rate; 404 for who may not see; the coach's profile side by side and over time."""

import datetime as dt

import pytest
from django.utils import timezone

from coachloop.rubrics.models import RubricScore
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db

FUNCTIONS = (
    "relationships",
    "improvement-process",
    "responsive-communication",
    "solution-dialogue",
    "reviewing-data",
)


@pytest.fixture
def as_(client):
    return lambda user: Api(client, user)


def body(level, evidence="Saw it", **extra):
    levels = dict.fromkeys(FUNCTIONS, level) if isinstance(level, int) else level
    return {
        "ratings": {k: {"level": v, "evidence": evidence} for k, v in levels.items()},
        **extra,
    }


def lead_body(level, **extra):
    return body(
        level,
        observed_on=(timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        subject="Conversation with a Grade 4 teacher",
        summary="Good questions.",
        **extra,
    )


def test_rate_and_read_through_the_api(as_, coachdev, world):
    url = f"/api/engagements/{coachdev.development.pk}/profile-assessments"
    mine = as_(world.cora).post(url, body(2, evidence=""))
    assert mine.status_code == 201, mine.content
    assert mine.json()["perspective"] == "self"
    assert mine.json()["coach"] == {"id": world.cora.pk, "name": str(world.cora)}
    observed = as_(coachdev.lola).post(url, lead_body({**dict.fromkeys(FUNCTIONS, 3)}))
    assert observed.status_code == 201, observed.content
    got = observed.json()
    assert got["perspective"] == "lead"
    assert got["ratings"][0] == {
        "function": "relationships",
        "title": "Developing and maintaining coaching relationships",
        "level": 3,
        "label": "Proficient",
        "evidence": "Saw it",
    }
    listed = as_(world.ada).get(url).json()
    # oldest first by the day rated: the observation was three days ago, the self-rating today
    assert [a["perspective"] for a in listed] == ["lead", "self"]
    one = as_(world.ada).get(f"/api/profile-assessments/{got['id']}")
    assert one.status_code == 200
    assert one.json()["summary"] == "Good questions."

    side = as_(world.ada).get(f"/api/coaches/{world.cora.pk}/profile").json()
    first = side["functions"][0]
    assert first["function"] == "relationships"
    assert first["latest_self"]["level"] == 2
    assert first["latest_lead"]["level"] == 3
    assert first["latest_lead"]["assessment_id"] == got["id"]
    assert first["gap"] == 1
    assert [h["perspective"] for h in first["history"]] == ["lead", "self"]
    assert [lv["label"] for lv in side["levels"]] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Exemplary",
    ]
    assert len(side["assessments"]) == 2


def test_bad_input_names_each_function_and_writes_nothing(as_, coachdev, world):
    url = f"/api/engagements/{coachdev.development.pk}/profile-assessments"
    levels = {**dict.fromkeys(FUNCTIONS, 3), "relationships": 5, "reviewing-data": 0}
    levels.pop("solution-dialogue")
    bad = as_(world.cora).post(url, body(levels))
    assert bad.status_code == 422
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert set(errors) == {
        "ratings.relationships",
        "ratings.reviewing-data",
        "ratings.solution-dialogue",
    }
    assert "choose one of the levels 1, 2, 3, 4" in errors["ratings.relationships"]
    no_evidence = as_(coachdev.lola).post(url, lead_body(3) | {"observed_on": None})
    assert no_evidence.status_code == 422
    fields = {e["field"] for e in no_evidence.json()["errors"]}
    assert fields == {"observed_on"}
    lead = lead_body(3)
    lead["ratings"]["solution-dialogue"]["evidence"] = ""
    missing = as_(coachdev.lola).post(url, lead)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["ratings.solution-dialogue"]
    wrong = as_(world.cora).post(url, body(3, perspective="peer"))
    assert wrong.status_code == 422
    assert not RubricScore.objects.exists()


def test_who_may_rate_and_read(as_, coachdev, world):
    url = f"/api/engagements/{coachdev.development.pk}/profile-assessments"
    # Cora rating herself as her own lead; Ada, who follows but does not rate: 403
    as_lead = as_(world.cora).post(url, lead_body(4, perspective="lead"))
    assert as_lead.status_code == 403
    assert as_lead.json()["detail"] == (
        f"Only {world.cora}'s lead coach rates {world.cora} from observation."
    )
    assert as_(world.ada).post(url, lead_body(4)).status_code == 403
    # who cannot see the engagement: 404
    for outsider in (world.tom, coachdev.carl, world.bea):
        assert as_(outsider).post(url, lead_body(4)).status_code == 404, outsider
    assert not RubricScore.objects.exists()

    made = as_(coachdev.lola).post(url, lead_body(3)).json()
    for outsider in (world.tom, world.lena, coachdev.carl, world.bea):
        api = as_(outsider)
        assert api.get(f"/api/profile-assessments/{made['id']}").status_code == 404
        assert api.get(f"/api/coaches/{world.cora.pk}/profile").status_code == 404
    assert as_(world.lena).get(url).status_code == 404
