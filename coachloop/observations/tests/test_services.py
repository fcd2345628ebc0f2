"""Observation services: who may start one, the one-draft rule, autosave revisions and stale
saves, every malformed moment refused with a clear message, finishing (the cycle is observed, the
playbook's first-observation step is done), discarding, and who reads drafts and finished ones."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.access import policy
from coachloop.access.models import AuditEvent
from coachloop.actionsteps.models import Cycle, CycleStatus
from coachloop.engagements.models import EngagementStatus, StepProgress, StepStatus
from coachloop.lib.errors import DomainError
from coachloop.observations import services
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.observations.tests.conftest import CRITERIA
from coachloop.organisations.models import Role
from coachloop.testing.personas import person


def start(world, engagement):
    return services.observation_start(actor=world.cora, engagement=engagement)


def save(world, observation, *, base, notes="", moments=None, duration=None, scores=None):
    return services.observation_save(
        actor=world.cora,
        observation=observation,
        notes=notes,
        moments=moments or [],
        duration_minutes=duration,
        scores=scores,
        base=base,
    )


def finish(world, observation, *, base, **fields):
    return services.observation_finish(
        actor=world.cora,
        observation=observation,
        notes=fields.pop("notes", ""),
        moments=fields.pop("moments", []),
        duration_minutes=fields.pop("duration", None),
        base=base,
        **fields,
    )


# --- Starting -----------------------------------------------------------------------------------


def test_the_coach_starts_a_draft_of_the_current_action_step_in_the_open_cycle(
    world, instructional, step
):
    observation = start(world, instructional)
    assert observation.status == ObservationStatus.DRAFT
    assert observation.author == world.cora
    assert observation.coachee == world.tom
    assert observation.action_step == step
    assert observation.visibility == "team"  # the playbook's default for observations
    assert observation.rubric_key == "action-step-practice"
    assert observation.cycle is not None
    assert observation.cycle.status == CycleStatus.OPEN
    assert observation.revision == 0


def test_a_first_observation_before_any_action_step_has_none(world, instructional):
    observation = start(world, instructional)
    assert observation.action_step is None
    assert observation.cycle is not None


def test_tapping_observe_again_reopens_the_draft_instead_of_making_another(
    world, instructional, step
):
    first = start(world, instructional)
    assert start(world, instructional).pk == first.pk
    assert Observation.objects.count() == 1
    # A draft left for more than 12 hours is not reopened: a new visit is a new observation.
    Observation.objects.filter(pk=first.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=13)
    )
    assert start(world, instructional).pk != first.pk
    assert Observation.objects.count() == 2


def test_a_finished_observation_is_not_reopened(world, instructional, step):
    first = start(world, instructional)
    finish(world, first, base=0)
    assert start(world, instructional).pk != first.pk


@pytest.mark.parametrize("name", ["tom", "lena", "dan", "ada"])
def test_only_coaches_of_the_engagement_start_one(world, instructional, name):
    with pytest.raises(DomainError) as refused:
        services.observation_start(actor=getattr(world, name), engagement=instructional)
    assert refused.value.status == 403
    assert f"You don't coach {world.tom}" in refused.value.message
    assert not Observation.objects.exists()


def test_a_playbook_without_cycles_has_no_quick_observations(world):
    with pytest.raises(DomainError) as refused:
        services.observation_start(actor=world.cora, engagement=world.engagement)
    assert refused.value.status == 409
    assert "no coaching cycles" in refused.value.message


def test_a_completed_engagement_takes_no_new_observation(world, instructional):
    instructional.status = EngagementStatus.COMPLETED
    instructional.save()
    with pytest.raises(DomainError) as refused:
        start(world, instructional)
    assert refused.value.status == 409


def test_a_teacher_outside_the_engagement_is_refused_by_name(world, instructional):
    with pytest.raises(DomainError) as refused:
        services.observation_start(actor=world.cora, engagement=instructional, coachee=world.tina)
    assert refused.value.field == "coachee"
    assert str(world.tina) in refused.value.message


# --- Autosave -----------------------------------------------------------------------------------


def test_each_save_builds_on_the_last_revision_and_a_stale_one_is_refused(
    world, instructional, step
):
    observation = start(world, instructional)
    save(world, observation, base=0, notes="Line-up at the door")
    assert observation.revision == 1
    save(world, observation, base=1, notes="Line-up at the door, silent")
    assert observation.revision == 2
    # Another tab, still on revision 1, tries to save: refused, nothing overwritten.
    other = Observation.objects.get(pk=observation.pk)
    with pytest.raises(services.StaleDraft) as refused:
        save(world, other, base=1, notes="From the other tab")
    assert refused.value.status == 409
    assert refused.value.revision == 2
    assert "saved elsewhere" in refused.value.message
    assert "kept" in refused.value.message
    stored = Observation.objects.get(pk=observation.pk)
    assert stored.notes == "Line-up at the door, silent"
    assert stored.revision == 2


def test_a_draft_save_writes_no_audit_row_and_runs_few_queries(
    world, instructional, step, django_assert_max_num_queries
):
    observation = start(world, instructional)
    observation = Observation.objects.select_related(
        "engagement__playbook_version", "action_step"
    ).get(pk=observation.pk)
    before = AuditEvent.objects.count()
    moments = [
        {"at": f"00:01:0{i % 10}", "text": f"m{i}", "criterion": 0, "evidence": "for"}
        for i in range(40)
    ]
    with django_assert_max_num_queries(4):  # savepoint/lock read/update (+ transaction)
        save(world, observation, base=0, notes="x", moments=moments, scores={"fluency": 2})
    assert AuditEvent.objects.count() == before
    assert Observation.objects.get(pk=observation.pk).scores == {"fluency": 2}


def test_only_the_author_saves_and_only_a_draft(world, instructional, step):
    observation = start(world, instructional)
    with pytest.raises(DomainError) as refused:
        services.observation_save(
            actor=world.tom,
            observation=observation,
            notes="",
            moments=[],
            duration_minutes=None,
            base=0,
        )
    assert refused.value.status == 403
    finish(world, observation, base=0)
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=observation.revision, notes="late")
    assert refused.value.status == 409
    assert "already finished" in refused.value.message


@pytest.mark.parametrize(
    ("moments", "message"),
    [
        ("not a list", "Send the moments as a list"),
        ([{"text": "x"} for _ in range(501)], "at most 500 moments"),
        (["just text"], "Moment 1: send it as an object"),
        ([{"at": "soon", "text": "x"}], "Moment 1: the time “soon” is not a time"),
        ([{"at": "00:61", "text": "x"}], "is not a time"),
        ([{"at": "1:75:00", "text": "x"}], "is not a time"),
        (
            [{"at": "00:10", "text": "ok"}, {"at": "00:20", "text": "x" * 2001}],
            "Moment 2: the note is 2001 characters long; keep it to 2000",
        ),
        ([{"at": "00:10", "text": 12}], "the note must be text"),
        ([{"at": "00:10", "criterion": 3}], "choose one of the action step's 3 success criteria"),
        ([{"at": "00:10", "criterion": -1}], "3 success criteria"),
        ([{"at": "00:10", "criterion": True}], "3 success criteria"),
        ([{"at": "00:10", "criterion": 0, "evidence": "maybe"}], "evidence is “for”"),
        ([{"at": "00:10", "evidence": "for"}], "choose the success criterion this is evidence"),
    ],
)
def test_bad_moments_are_refused_with_what_to_fix(world, instructional, step, moments, message):
    observation = start(world, instructional)
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=0, moments=moments)
    assert refused.value.field == "moments"
    assert message in refused.value.message
    assert Observation.objects.get(pk=observation.pk).revision == 0


def test_moments_are_stored_in_one_shape(world, instructional, step):
    observation = start(world, instructional)
    save(
        world,
        observation,
        base=0,
        moments=[
            {"at": "3:05", "text": "  Silent line  ", "criterion": "0", "evidence": "for"},
            {"at": "1:02:03", "text": "", "criterion": None, "evidence": None, "extra": 1},
        ],
    )
    assert Observation.objects.get(pk=observation.pk).moments == [
        {"at": "00:03:05", "text": "Silent line", "criterion": 0, "evidence": "for"},
        {"at": "01:02:03", "text": "", "criterion": None, "evidence": None},
    ]


def test_without_an_action_step_a_moment_cannot_be_tagged(world, instructional):
    observation = start(world, instructional)
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=0, moments=[{"at": "0:10", "criterion": 0}])
    assert "no action step" in refused.value.message


@pytest.mark.parametrize(
    ("notes", "duration", "field", "message"),
    [
        ("x" * 50_001, None, "notes", "keep them to 50000"),
        ("", 0, "duration_minutes", "from 1 to 600"),
        ("", 601, "duration_minutes", "from 1 to 600"),
        ("", "ten", "duration_minutes", "whole number of minutes"),
    ],
)
def test_bad_notes_and_durations_are_refused(
    world, instructional, step, notes, duration, field, message
):
    observation = start(world, instructional)
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=0, notes=notes, duration=duration)
    assert refused.value.field == field
    assert message in refused.value.message


def test_scores_may_be_partial_in_a_draft_but_not_unknown_or_off_the_scale(
    world, instructional, step
):
    observation = start(world, instructional)
    save(world, observation, base=0, scores={"fluency": "3", "impact": ""})
    assert Observation.objects.get(pk=observation.pk).scores == {"fluency": 3}
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=1, scores={"charisma": 2})
    assert "no criterion “charisma”" in refused.value.message
    with pytest.raises(DomainError) as refused:
        save(world, observation, base=1, scores={"fluency": 9})
    assert "choose one of the levels 1, 2, 3, 4" in refused.value.message
    # Scores left out (None) are kept as they are.
    save(world, observation, base=1, notes="more")
    assert Observation.objects.get(pk=observation.pk).scores == {"fluency": 3}


# --- Finishing ----------------------------------------------------------------------------------


def test_finishing_marks_the_cycle_observed_and_completes_the_first_observation_step(
    world, instructional, step
):
    observation = start(world, instructional)
    save(world, observation, base=0, notes="Calm start")
    finish(
        world,
        observation,
        base=1,
        notes="Calm start; silent line",
        moments=[{"at": "00:02:00", "text": "", "criterion": 0, "evidence": "for"}],
    )
    stored = Observation.objects.get(pk=observation.pk)
    assert stored.status == ObservationStatus.FINAL
    assert stored.finished_at is not None
    assert stored.notes == "Calm start; silent line"
    assert stored.duration_minutes == 1  # counted from the start: under a minute counts as 1
    cycle = Cycle.objects.get(engagement=instructional, status=CycleStatus.OPEN)
    assert cycle.observed_on == timezone.localdate(stored.started_at)
    progress = StepProgress.objects.get(engagement=instructional, step_key="first-observation")
    assert progress.status == StepStatus.DONE
    event = AuditEvent.objects.get(action="observation.finish")
    assert "Calm start" not in str(event.data)  # metadata only
    assert event.data["moments"] == 1


def test_the_default_duration_is_the_minutes_since_the_start_capped(world, instructional, step):
    observation = start(world, instructional)
    Observation.objects.filter(pk=observation.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=17, seconds=10)
    )
    observation.refresh_from_db()
    assert finish(world, observation, base=0).duration_minutes == 17
    late = start(world, instructional)
    late.started_at = timezone.now() - datetime.timedelta(hours=11)
    assert services.default_duration(late) == 600


def test_finishing_needs_every_rubric_criterion_scored_or_none(world, instructional, step):
    observation = start(world, instructional)
    save(world, observation, base=0, scores={"fluency": 3})
    with pytest.raises(DomainError) as refused:
        finish(world, observation, base=1)
    assert "Score every criterion of the rubric, or none" in refused.value.message
    assert "“Success criteria seen”" in refused.value.message
    assert Observation.objects.get(pk=observation.pk).status == ObservationStatus.DRAFT
    done = finish(
        world, observation, base=1, scores={"success-criteria": 2, "impact": 3, "fluency": 3}
    )
    assert done.scores == {"success-criteria": 2, "impact": 3, "fluency": 3}


def test_finishing_with_a_chosen_visibility(world, instructional, step):
    observation = start(world, instructional)
    done = finish(world, observation, base=0, visibility="sponsors")
    assert done.visibility == "sponsors"
    with pytest.raises(DomainError):
        finish(world, start(world, instructional), base=0, visibility="everyone")


def test_a_coach_removed_from_the_engagement_cannot_finish(world, instructional, step):
    observation = start(world, instructional)
    instructional.participants.filter(user=world.cora).delete()
    with pytest.raises(DomainError) as refused:
        finish(world, observation, base=0)
    assert refused.value.status == 403


# --- Discarding ---------------------------------------------------------------------------------


def test_a_draft_is_discarded_by_its_author_only_and_a_finished_one_stays(
    world, instructional, step
):
    observation = start(world, instructional)
    with pytest.raises(DomainError) as refused:
        services.observation_discard(actor=world.tom, observation=observation)
    assert refused.value.status == 403
    services.observation_discard(actor=world.cora, observation=observation)
    assert not Observation.objects.filter(pk=observation.pk).exists()
    kept = start(world, instructional)
    finish(world, kept, base=0)
    with pytest.raises(DomainError) as refused:
        services.observation_discard(actor=world.cora, observation=kept)
    assert refused.value.status == 409
    assert Observation.objects.filter(pk=kept.pk).exists()


# --- Who reads them -----------------------------------------------------------------------------


def test_a_draft_is_read_by_its_author_alone(world, instructional, step):
    observation = start(world, instructional)
    readers = {
        name
        for name, user in world.people.items()
        if policy.observations_visible_to(user).filter(pk=observation.pk).exists()
    }
    assert readers == {"cora"}


def test_a_finished_observation_at_team_level_is_read_by_the_team_not_the_sponsor(
    world, instructional, step
):
    observation = start(world, instructional)
    finish(world, observation, base=0)
    readers = {
        name
        for name, user in world.people.items()
        if policy.observations_visible_to(user).filter(pk=observation.pk).exists()
    }
    assert readers == {"cora", "tom"}


def test_another_coach_in_the_organisation_cannot_reach_the_engagement(world, instructional):
    other = person("carl@a.test", world.district, Role.COACH)
    with pytest.raises(PermissionDenied):
        policy.require(other, policy.Action.COACH, instructional)
    assert not policy.engagements_visible_to(other).filter(pk=instructional.pk).exists()


# --- A property: whatever the saves, finishing keeps the last saved content ---------------------

moment = st.fixed_dictionaries(
    {
        "at": st.builds(
            lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}",
            st.integers(0, 9),
            st.integers(0, 59),
            st.integers(0, 59),
        ),
        "text": st.text(max_size=40),
        "criterion": st.one_of(st.none(), st.integers(0, len(CRITERIA) - 1)),
    }
).flatmap(
    lambda m: st.fixed_dictionaries(
        {
            **{k: st.just(v) for k, v in m.items()},
            "evidence": st.none()
            if m["criterion"] is None
            else st.sampled_from([None, "for", "against"]),
        }
    )
)
draft = st.fixed_dictionaries(
    {
        "notes": st.text(max_size=200),
        "moments": st.lists(moment, max_size=6),
        "duration": st.one_of(st.none(), st.integers(1, 600)),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drafts=st.lists(draft, min_size=1, max_size=5))
def test_any_sequence_of_saves_then_finish_keeps_exactly_the_last_saved_content(
    world, instructional, step, drafts
):
    observation = start(world, instructional)
    for revision, content in enumerate(drafts):
        save(world, observation, base=revision, **content)
    last = Observation.objects.get(pk=observation.pk)
    finish(
        world,
        last,
        base=last.revision,
        notes=last.notes,
        moments=last.moments,
        duration=last.duration_minutes,
    )
    done = Observation.objects.get(pk=observation.pk)
    expected = drafts[-1]
    assert done.status == ObservationStatus.FINAL
    # kept as typed, but for NUL characters, which no database column can hold
    assert done.notes == expected["notes"].replace("\x00", "")
    assert done.moments == [
        {**m, "text": m["text"].replace("\x00", "").strip()} for m in expected["moments"]
    ]
    if expected["duration"] is not None:
        assert done.duration_minutes == expected["duration"]
    assert done.revision == len(drafts) + 1
