"""The practice profile through the services: Cora rates herself, her lead coach Lola rates her
from an observed coaching conversation with evidence per function, the steps are done, the
growth plan shows, a second round shows growth; wrong ratings and wrong raters are refused with
nothing written; only those the visibility allows read the ratings."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.access.models import AuditEvent
from coachloop.actionsteps.services import action_step_create
from coachloop.coaches import profile
from coachloop.coaches.selectors import profile_latest
from coachloop.engagements.models import ParticipantRole, StepStatus
from coachloop.lib.errors import DomainError
from coachloop.plans.services import plan_save
from coachloop.rubrics.models import CriterionRating, RubricScore
from coachloop.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

FUNCTIONS = (
    "relationships",
    "improvement-process",
    "responsive-communication",
    "solution-dialogue",
    "reviewing-data",
)


def ratings(levels, evidence=True):
    if isinstance(levels, int):
        levels = dict.fromkeys(FUNCTIONS, levels)
    return {
        key: {"level": level, "evidence": f"Saw {key} at {level}" if evidence else ""}
        for key, level in levels.items()
    }


def self_assess(coachdev, world, levels, **extra):
    return profile.assess(
        actor=world.cora,
        engagement=coachdev.development,
        perspective="self",
        ratings=ratings(levels, evidence=False),
        **extra,
    )


def lead_assess(coachdev, levels, on=None, **extra):
    fields = {
        "observed_on": on or timezone.localdate() - dt.timedelta(days=1),
        "subject": "Coaching conversation with a Grade 4 teacher",
        "summary": "Clear agreement, good questions; data came late.",
    }
    fields.update(extra)
    return profile.assess(
        actor=coachdev.lola,
        engagement=coachdev.development,
        perspective="lead",
        ratings=ratings(levels),
        **fields,
    )


def step_status(coachdev, key):
    return coachdev.development.steps.get(step_key=key).status


def test_self_and_lead_assessment_complete_their_steps_and_sit_side_by_side(coachdev, world):
    mine = self_assess(coachdev, world, 3)
    assert mine.about == world.cora
    assert mine.perspective == "self"
    assert mine.subject == "Self-assessment"
    assert mine.visibility == "programme"
    assert step_status(coachdev, "self-assessment") == StepStatus.DONE
    # the first rating ticks the first step only: "rate again" is still to do
    assert step_status(coachdev, "self-reassessment") == StepStatus.OPEN
    assert step_status(coachdev, "observed-assessment") == StepStatus.OPEN

    observed = lead_assess(coachdev, {**dict.fromkeys(FUNCTIONS, 2), "relationships": 4})
    assert observed.author == coachdev.lola
    assert observed.about == world.cora
    assert observed.ratings.get(criterion_key="relationships").evidence == "Saw relationships at 4"
    assert step_status(coachdev, "observed-assessment") == StepStatus.DONE
    assert step_status(coachdev, "observed-reassessment") == StepStatus.OPEN
    assert AuditEvent.objects.filter(action="profile.assess").count() == 2

    latest = profile_latest(world.cora, [world.cora.pk])[world.cora.pk]
    assert latest["relationships"]["self"].level == 3
    assert latest["relationships"]["lead"].level == 4
    assert latest["relationships"]["lead"].label == "Exemplary"
    assert latest["reviewing-data"]["lead"].on == timezone.localdate() - dt.timedelta(days=1)

    section = profile.profile_section(world.cora, world.cora)
    first = section["rows"][0]
    assert first["title"] == "Developing and maintaining coaching relationships"
    assert (first["self"].level, first["lead"].level, first["gap_text"]) == (3, 4, "+1")
    assert section["rows"][1]["gap_text"] == "-1"


def test_a_second_round_later_shows_growth_over_time(coachdev, world):
    today = timezone.localdate()
    lead_assess(coachdev, 1, on=today - dt.timedelta(days=90))
    self_assess(coachdev, world, 2, observed_on=today - dt.timedelta(days=91))
    self_assess(coachdev, world, 3)
    lead_assess(coachdev, {**dict.fromkeys(FUNCTIONS, 2), "reviewing-data": 3}, on=today)
    for key in ("self-reassessment", "observed-reassessment"):
        assert step_status(coachdev, key) == StepStatus.DONE

    found = profile.history(world.cora, world.cora)
    assert [(c.perspective, c.on) for c in found.columns] == [
        ("self", today - dt.timedelta(days=91)),
        ("lead", today - dt.timedelta(days=90)),
        ("self", today),
        ("lead", today),
    ]
    data = next(f for f in found.functions if f.key == "reviewing-data")
    assert [c.level for c in data.self_cells] == [2, None, 3, None]
    assert [c.level for c in data.lead_cells] == [None, 1, None, 3]
    assert (data.latest_self.level, data.latest_lead.level, data.gap) == (3, 3, 0)
    assert data.chart is not None
    lead_line = next(line for line in data.chart.lines if line.lead)
    assert [d.level for d in lead_line.dots] == [1, 3]
    assert lead_line.dots[1].y < lead_line.dots[0].y  # higher level, higher on the chart


def test_growth_section_shows_the_growth_plan_goals_and_action_steps(coachdev, world):
    lola, cora, dev = coachdev.lola, world.cora, coachdev.development
    plan_save(
        actor=cora,
        engagement=dev,
        summary="My practice this year",
        goals=[
            {"title": "Review data in every conversation", "measure": "Lola sees it twice"},
            {"title": "Agree response times with each teacher", "measure": "All five agreed"},
        ],
        base=0,
    )
    action_step_create(
        actor=lola,
        engagement=dev,
        title="Open each conversation with one piece of student work",
        success_criteria=["Student work on the table in the first five minutes"],
    )
    section = profile.growth_section(cora, cora)
    [item] = section["engagements"]
    assert item["leads"] == [lola]
    assert [g["title"] for g in item["goals"]] == [
        "Review data in every conversation",
        "Agree response times with each teacher",
    ]
    [step] = item["action_steps"]
    assert step.title.startswith("Open each conversation")
    assert step.status == "current"
    # Ada follows the plan (programme visibility) but not the team's action steps
    [for_ada] = profile.growth_section(world.ada, cora)["engagements"]
    assert len(for_ada["goals"]) == 2
    assert for_ada["action_steps"] == []
    # Tom knows of no development engagement
    assert profile.growth_section(world.tom, cora)["engagements"] == []


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ({"relationships": 5}, "“Developing and maintaining coaching relationships”: choose one"),
        ({"relationships": 0}, "choose one of the levels 1, 2, 3, 4."),
        ({"relationships": None}, "Choose a level for “Developing and maintaining coaching"),
        ({"relationships": "three"}, "choose one of the levels 1, 2, 3, 4."),
    ],
)
def test_a_rating_outside_the_levels_is_named_and_nothing_is_written(
    coachdev, world, levels, message
):
    given = {**dict.fromkeys(FUNCTIONS, 3), **levels}
    with pytest.raises(DomainError) as err:
        self_assess(coachdev, world, given)
    assert err.value.status == 422
    assert message in err.value.errors["relationships"]
    assert set(err.value.errors) == {"relationships"}
    assert not RubricScore.objects.exists()
    assert not CriterionRating.objects.exists()
    assert step_status(coachdev, "self-assessment") == StepStatus.OPEN


def test_a_missing_function_is_named(coachdev, world):
    given = {k: 2 for k in FUNCTIONS if k != "solution-dialogue"}
    with pytest.raises(DomainError) as err:
        self_assess(coachdev, world, given)
    assert err.value.errors == {
        "solution-dialogue": "Choose a level for “Engaging in solution-driven dialogue”."
    }


def test_the_lead_needs_evidence_per_function_a_past_day_what_and_a_summary(coachdev):
    bare = ratings(3, evidence=False)
    bare["relationships"]["evidence"] = "Explained confidentiality first."
    with pytest.raises(DomainError) as err:
        profile.assess(
            actor=coachdev.lola,
            engagement=coachdev.development,
            perspective="lead",
            ratings=bare,
            observed_on=timezone.localdate() + dt.timedelta(days=1),
            subject="  ",
            summary="",
        )
    errors = err.value.errors
    assert err.value.status == 422
    assert "relationships" not in errors
    assert errors["reviewing-data"] == (
        "“Reviewing data with the coached educator”: write the evidence you observed for this "
        "function."
    )
    assert errors["observed_on"] == "The day observed cannot be in the future."
    assert "subject" in errors
    assert "summary" in errors
    with pytest.raises(DomainError) as err:
        lead_assess(coachdev, 3, on=None, observed_on=None)
    assert err.value.errors == {
        "observed_on": "Give the day of the coaching conversation you observed."
    }
    assert not RubricScore.objects.exists()


def test_a_level_error_and_a_missing_evidence_are_said_together(coachdev):
    given = ratings(3)
    given["solution-dialogue"] = {"level": 7, "evidence": ""}
    with pytest.raises(DomainError) as err:
        profile.assess(
            actor=coachdev.lola,
            engagement=coachdev.development,
            perspective="lead",
            ratings=given,
            observed_on=timezone.localdate(),
            subject="Conversation",
            summary="Summary",
        )
    message = err.value.errors["solution-dialogue"]
    assert "choose one of the levels" in message
    assert "write the evidence" in message


def test_who_may_rate(coachdev, world):
    dev = coachdev.development
    # Carl takes part (as the programme lead) but is not Cora's lead coach: 403
    ParticipantFactory(engagement=dev, user=coachdev.carl, role=ParticipantRole.SPONSOR)
    cases = [
        (coachdev.carl, "lead", 403, "Only "),
        (world.ada, "lead", 403, "lead coach rates"),
        (world.ada, "self", 403, "self-assessment"),
        (world.cora, "lead", 403, "lead coach rates"),  # Cora rating herself as her lead
        (coachdev.lola, "self", 403, "self-assessment"),  # the lead writing Cora's self-rating
        (world.tom, "lead", 404, "Not found."),
        (world.bea, "self", 404, "Not found."),
    ]
    for actor, perspective, status, text in cases:
        with pytest.raises(DomainError) as err:
            profile.assess(
                actor=actor,
                engagement=dev,
                perspective=perspective,
                ratings=ratings(3),
                observed_on=timezone.localdate(),
                subject="Conversation",
                summary="Summary",
            )
        assert err.value.status == status, (actor, perspective)
        assert text in err.value.message
    with pytest.raises(DomainError) as err:
        lead_assess_as(coachdev, world.cora)
    assert err.value.message == (
        f"Only {world.cora}'s lead coach rates {world.cora} from observation."
    )
    assert not RubricScore.objects.exists()
    assert step_status(coachdev, "observed-assessment") == StepStatus.OPEN


def lead_assess_as(coachdev, actor):
    return profile.assess(
        actor=actor,
        engagement=coachdev.development,
        perspective="lead",
        ratings=ratings(3),
        observed_on=timezone.localdate(),
        subject="Conversation",
        summary="Summary",
    )


def test_an_instructional_engagement_has_no_practice_profile(coachdev, world):
    with pytest.raises(DomainError) as err:
        profile.assess(
            actor=world.cora,
            engagement=coachdev.engagements[0],
            perspective="lead",
            ratings=ratings(3),
            observed_on=timezone.localdate(),
            subject="x",
            summary="y",
        )
    assert err.value.status == 404


def test_who_reads_the_ratings(coachdev, world):
    self_assess(coachdev, world, 2)
    lead_assess(coachdev, 3)
    for reader in (world.cora, coachdev.lola, world.ada):
        latest = profile_latest(reader, [world.cora.pk])
        assert latest[world.cora.pk]["relationships"]["lead"].level == 3, reader
        assert len(profile.history(reader, world.cora).columns) == 2
    for outsider in (world.tom, world.lena, coachdev.carl, world.bea):
        assert profile_latest(outsider, [world.cora.pk]) == {}, outsider
        assert profile.history(outsider, world.cora).empty
        assert not profile.profile_section(outsider, world.cora)["has_ratings"]


def test_profile_latest_reads_a_fixed_number_of_queries(
    coachdev, world, django_assert_max_num_queries
):
    self_assess(coachdev, world, 2)
    lead_assess(coachdev, 3)
    with django_assert_max_num_queries(8):
        profile_latest(world.ada, [world.cora.pk, coachdev.carl.pk, coachdev.lola.pk])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["self", "lead"]),
            st.integers(min_value=0, max_value=60),  # days ago observed
            st.dictionaries(
                st.sampled_from(FUNCTIONS), st.integers(min_value=1, max_value=4), min_size=1
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_profile_latest_picks_the_newest_assessment_per_function_and_perspective(
    coachdev, world, sequence
):
    """Whatever the order assessments are written in (and whatever functions they rated, as
    after a playbook's rubric changed), the newest by day observed, then by when written, wins
    per function and perspective."""
    RubricScore.objects.all().delete()
    today = timezone.localdate()
    start = timezone.now()
    expected: dict[tuple[str, str], tuple[tuple[dt.date, int], int]] = {}
    for i, (perspective, ago, levels) in enumerate(sequence):
        on = today - dt.timedelta(days=ago)
        score = RubricScore.objects.create(
            organisation_id=coachdev.development.organisation_id,
            engagement=coachdev.development,
            rubric_key="practice-profile",
            rubric={"levels": [{"score": n, "label": f"L{n}"} for n in range(1, 5)]},
            subject="s",
            author=world.cora if perspective == "self" else coachdev.lola,
            visibility="programme",
            feedback="",
            about=world.cora,
            perspective=perspective,
            observed_on=on,
            created_at=start + dt.timedelta(seconds=i),
        )
        CriterionRating.objects.bulk_create(
            CriterionRating(score=score, criterion_key=k, criterion=k, level=v)
            for k, v in levels.items()
        )
        for key, level in levels.items():
            rank = (on, i)
            if (key, perspective) not in expected or expected[(key, perspective)][0] <= rank:
                expected[(key, perspective)] = (rank, level)
    latest = profile_latest(world.ada, [world.cora.pk]).get(world.cora.pk, {})
    got = {(k, p): r.level for k, by in latest.items() for p, r in by.items()}
    assert got == {kp: level for kp, (_rank, level) in expected.items()}
    assert all(r.label == f"L{r.level}" for by in latest.values() for r in by.values())
    # the history page agrees with the overview
    found = profile.history(world.ada, world.cora)
    for row in found.functions:
        for perspective, rating in (("self", row.latest_self), ("lead", row.latest_lead)):
            assert (rating.level if rating else None) == got.get((row.key, perspective))
