"""A peer coaching team (seed 001) from the agreement to the fourth level of coaching
effectiveness, driven through the services; then what each person sees, and bad input."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from coachloop.engagements.models import Engagement, ParticipantRole, StepStatus
from coachloop.engagements.services import agreement_sign, note_create
from coachloop.lib.errors import DomainError
from coachloop.meetings.services import meeting_record, meeting_schedule
from coachloop.peer import services
from coachloop.peer.models import (
    AssignmentCompletion,
    EffectivenessRating,
    Goal,
    GoalStatus,
    Interaction,
)
from coachloop.playbooks.schema import (
    EffectivenessLevelSpec,
    EffectivenessPointSpec,
    EffectivenessSpec,
)

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
LEVELS = ["reaction", "self-awareness", "behaviour", "performance"]


def _levels(*ratings: int) -> dict[str, dict[str, object]]:
    sizes = {"reaction": 3, "self-awareness": 3, "behaviour": 3, "performance": 2}
    return {
        key: {"rating": r, "indicators": [r >= 3] * sizes[key]}
        for key, r in zip(LEVELS, ratings, strict=False)
    }


def _status(engagement: Engagement, key: str) -> str:
    return engagement.steps.get(step_key=key).status


def _hold(actor, engagement, meeting_type, when, mode, summary):
    meeting = meeting_schedule(
        actor=actor,
        engagement=engagement,
        meeting_type=meeting_type,
        starts_at=when,
        mode=mode,
        location="Oak school",
    )
    return meeting_record(
        actor=actor,
        meeting=meeting,
        stage_notes=["" for _s in meeting.agenda],
        summary=summary,
    )


def _rate_all(team, point, ratings):
    e, pia, paul = team.engagement, team.pia, team.paul
    for rater, subject in ((pia, pia), (paul, paul), (pia, paul), (paul, pia)):
        services.rating_save(
            actor=rater, engagement=e, subject=subject, point=point, levels=_levels(*ratings)
        )


@time_machine.travel(NOW, tick=False)
def test_a_team_from_agreement_to_the_fourth_level(peer, world, client, signed_in):
    e, pia, paul, sue = peer.engagement, peer.pia, peer.paul, peer.sue

    # Agreement: each member signs for both roles.
    agreement_sign(actor=pia, engagement=e, name="Pia Park")
    assert _status(e, "agreement") == StepStatus.OPEN
    agreement_sign(actor=paul, engagement=e, name="Paul Quinn")
    assert _status(e, "agreement") == StepStatus.DONE

    # Orientation with the supervisor, then monthly sessions (one in person).
    start = datetime.datetime(2026, 9, 3, 15, tzinfo=datetime.UTC)
    _hold(pia, e, "orientation", start, "in_person", "Orientation held")
    assert _status(e, "orientation") == StepStatus.DONE
    for month, mode in ((9, "in_person"), (10, "phone"), (11, "video")):
        when = datetime.datetime(2026, month, 12, 16, tzinfo=datetime.UTC)
        _hold(paul, e, "session", when, mode, f"MINUTES-SECRET {month}")
    assert _status(e, "first-session") == StepStatus.DONE

    # Goals from two sources; Pia writes her own and her partner's.
    mine = services.goal_create(
        actor=pia,
        engagement=e,
        member=pia,
        title="Give feedback within a week of every observation",
        source="DISC assessment",
        measure="Feedback log",
    )
    assert _status(e, "goals") == StepStatus.OPEN  # Paul has none yet
    his = services.goal_create(
        actor=pia,
        engagement=e,
        member=paul,
        title="Delegate the timetable",
        source="Leadership 360",
    )
    assert _status(e, "goals") == StepStatus.DONE
    assert mine.visibility == his.visibility == "sponsors"  # the playbook's default

    # A monthly assignment asking for a review with the supervisor.
    assignment = services.assignment_create(
        actor=world.ada,
        programme=e.programme,
        month=datetime.date(2026, 10, 17),
        title="Review your action plan",
        interaction=Interaction.SUPERVISOR,
    )
    assert assignment.month == datetime.date(2026, 10, 1)
    with pytest.raises(DomainError) as refused:
        services.assignment_complete(actor=pia, assignment=assignment, engagement=e)
    assert refused.value.message == (
        "This assignment asks you to review it with your supervisor; tick when you have."
    )
    assert not AssignmentCompletion.objects.exists()
    services.assignment_complete(
        actor=pia, assignment=assignment, engagement=e, interaction_done=True
    )

    # Ratings rising over the year; each point's step is done once all four are in.
    services.rating_save(actor=pia, engagement=e, subject=pia, point="start", levels=_levels(3, 2))
    assert _status(e, "rate-start") == StepStatus.OPEN
    _rate_all(peer, "start", (3, 2))
    assert _status(e, "rate-start") == StepStatus.DONE
    assert set(
        EffectivenessRating.objects.filter(point="start").values_list("reached", flat=True)
    ) == {1}
    _rate_all(peer, "midpoint", (4, 3, 3, 2))
    assert _status(e, "rate-midpoint") == StepStatus.DONE
    _rate_all(peer, "end", (4, 4, 4, 4))
    assert _status(e, "rate-end") == StepStatus.DONE
    end = EffectivenessRating.objects.filter(point="end")
    assert [r.reached for r in end] == [4, 4, 4, 4]
    assert EffectivenessRating.objects.count() == 12  # saving again replaced, never added
    assert {(r.perspective, r.rater_id == r.subject_id) for r in end} == {
        ("self", True),
        ("partner", False),
    }

    # Goals accomplished with their evidence.
    services.goal_accomplish(actor=pia, goal=mine, evidence="Log: 14 of 14 within a week")
    services.goal_accomplish(actor=paul, goal=his, evidence="Deputy owns the timetable")
    assert set(Goal.objects.values_list("status", flat=True)) == {GoalStatus.ACCOMPLISHED}

    # A confidential team note.
    note_create(
        actor=paul,
        engagement=e,
        title="Between us",
        body="TEAM-NOTE-SECRET: worried about the budget",
        visibility="team",
    )

    # The supervisor: goals' status, levels and attendance; never notes or minutes.
    response = signed_in(sue).get(reverse("peer_team", args=[e.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delegate the timetable" in html
    assert "Deputy owns the timetable" in html
    assert "Level 4" in html
    assert "Peer coaching session" in html
    assert "TEAM-NOTE-SECRET" not in html
    assert "MINUTES-SECRET" not in html
    assert response["Cache-Control"].startswith("max-age=0")


@time_machine.travel(NOW, tick=False)
def test_team_create_makes_each_member_coach_and_coachee(peer, world):
    e = services.team_create(
        actor=world.ada,
        programme=peer.engagement.programme,
        members=[peer.pia, peer.paul],
        supervisors=[peer.sue],
        starts_on=datetime.date(2026, 9, 1),
    )
    roles = sorted((p.user_id, p.role) for p in e.participants.all())
    assert roles == sorted(
        [
            (peer.pia.pk, ParticipantRole.COACH),
            (peer.pia.pk, ParticipantRole.COACHEE),
            (peer.paul.pk, ParticipantRole.COACH),
            (peer.paul.pk, ParticipantRole.COACHEE),
            (peer.sue.pk, ParticipantRole.SPONSOR),
        ]
    )
    assert e.title == "Peer team: Pia and Paul"


@pytest.mark.parametrize(
    ("members", "supervisors", "message"),
    [
        (["pia"], [], "choose at least two"),
        (["pia", "paul", "tina", "tom"], [], "choose at most three"),
        (["pia", "pia"], [], "Choose each member once."),
        (["pia", "paul"], ["paul"], "can't also be its supervisor"),
    ],
)
def test_team_create_refuses_bad_teams(peer, world, members, supervisors, message):
    people = {"pia": peer.pia, "paul": peer.paul, "tina": world.tina, "tom": world.tom}
    before = Engagement.objects.count()
    with pytest.raises(DomainError) as refused:
        services.team_create(
            actor=world.ada,
            programme=peer.engagement.programme,
            members=[people[m] for m in members],
            supervisors=[people[s] for s in supervisors],
            starts_on=datetime.date(2026, 9, 1),
        )
    assert message in refused.value.message
    assert Engagement.objects.count() == before


def test_team_create_needs_a_peer_playbook(world, peer):
    with pytest.raises(DomainError) as refused:
        services.team_create(
            actor=world.ada,
            programme=world.engagement.programme,  # performance coaching
            members=[peer.pia, peer.paul],
            starts_on=datetime.date(2026, 9, 1),
        )
    assert "not a peer coaching playbook" in refused.value.message


def test_goal_bad_input_and_conflicts(peer, world):
    e, pia, paul = peer.engagement, peer.pia, peer.paul
    with pytest.raises(DomainError) as refused:
        services.goal_create(actor=pia, engagement=e, member=pia, title="X", source="Horoscope")
    assert refused.value.field == "source"
    with pytest.raises(DomainError) as refused:
        services.goal_create(
            actor=pia,
            engagement=e,
            member=pia,
            title="X",
            source="DISC assessment",
            status=GoalStatus.ACCOMPLISHED,
        )
    assert refused.value.errors == {"evidence": "Add the evidence of accomplishment."}
    with pytest.raises(DomainError) as refused:
        services.goal_create(
            actor=pia, engagement=e, member=world.tom, title="X", source="DISC assessment"
        )
    assert refused.value.field == "member"
    with pytest.raises(DomainError) as refused:  # the supervisor does not write goals
        services.goal_create(
            actor=peer.sue, engagement=e, member=pia, title="X", source="DISC assessment"
        )
    assert refused.value.status == 403
    assert not Goal.objects.exists()

    goal = services.goal_create(
        actor=pia, engagement=e, member=pia, title="Lead learning walks", source="Employee survey"
    )
    services.goal_update(
        actor=paul, goal=goal, title="Lead weekly learning walks", source="Employee survey", base=0
    )
    with pytest.raises(DomainError) as refused:
        services.goal_update(
            actor=pia, goal=goal, title="My stale text", source="Employee survey", base=0
        )
    assert refused.value.status == 409
    goal.refresh_from_db()
    assert goal.title == "Lead weekly learning walks"
    assert goal.revision == 1


def test_a_stale_goal_form_keeps_the_typed_text(peer, signed_in):
    e, pia = peer.engagement, peer.pia
    goal = services.goal_create(
        actor=pia, engagement=e, member=pia, title="Lead learning walks", source="Employee survey"
    )
    services.goal_update(
        actor=peer.paul, goal=goal, title="Changed by Paul", source="Employee survey"
    )
    response = signed_in(pia).post(
        reverse("peer_goal_edit", args=[e.pk, goal.pk]),
        {
            "title": "Pia's own wording",
            "source": "Employee survey",
            "status": "active",
            "visibility": "sponsors",
            "base": "0",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Pia&#x27;s own wording" in html
    assert "Changed by Paul" in html
    goal.refresh_from_db()
    assert goal.title == "Changed by Paul"


def test_rating_bad_input(peer, world):
    e, pia, paul = peer.engagement, peer.pia, peer.paul
    cases = [
        ({"reaction": {"rating": 5, "indicators": [True] * 3}}, "from 1 to 4"),
        ({"reaction": {"rating": 3, "indicators": [True]}}, "has 3 indicators"),
        ({"colour": {"rating": 3}}, "no level"),
        ({}, "Rate at least the first level."),
    ]
    for levels, message in cases:
        with pytest.raises(DomainError) as refused:
            services.rating_save(
                actor=pia, engagement=e, subject=paul, point="start", levels=levels
            )
        assert message in refused.value.message
    with pytest.raises(DomainError) as refused:
        services.rating_save(
            actor=pia, engagement=e, subject=pia, point="someday", levels=_levels(3)
        )
    assert refused.value.field == "point"
    with pytest.raises(DomainError) as refused:
        services.rating_save(
            actor=peer.sue, engagement=e, subject=pia, point="start", levels=_levels(3)
        )
    assert refused.value.status == 403
    assert not EffectivenessRating.objects.exists()


def test_rating_page_saves_levels_and_indicators(peer, signed_in):
    e, pia, paul = peer.engagement, peer.pia, peer.paul
    client = signed_in(pia)
    url = reverse("peer_rating", args=[e.pk, "start", paul.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "3: Clearly" in page.content.decode()  # the playbook's scale labels
    bad = client.post(url, {"rating-reaction": "9"})
    assert bad.status_code == 422
    response = client.post(
        url,
        {
            "rating-reaction": "4",
            "indicators-reaction": ["0", "2"],
            "rating-self-awareness": "3",
            "comment": "Open to feedback",
        },
    )
    assert response.status_code == 302
    rating = EffectivenessRating.objects.get()
    assert rating.perspective == "partner"
    assert rating.levels["reaction"] == {"rating": 4, "indicators": [True, False, True]}
    assert rating.reached == 2


def test_assignment_pages(peer, world, signed_in):
    e = peer.engagement
    client = signed_in(world.ada)
    url = reverse("peer_assignments", args=[e.programme_id])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"month": "", "title": "", "interaction": "none"})
    assert bad.status_code == 422
    ok = client.post(url, {"month": "2026-11", "title": "Shadow each other", "interaction": "team"})
    assert ok.status_code == 302
    listing = client.get(url).content.decode()
    assert "Shadow each other" in listing
    assert "0 members" in listing
    # Members may not add assignments.
    assert signed_in(peer.pia).get(url).status_code == 403


def test_undo_a_completion(peer, world):
    e = peer.engagement
    assignment = services.assignment_create(
        actor=world.ada,
        programme=e.programme,
        month=datetime.date(2026, 10, 1),
        title="Read a chapter",
        engagement=e,
    )
    services.assignment_complete(actor=peer.paul, assignment=assignment, engagement=e)
    services.assignment_complete(actor=peer.paul, assignment=assignment, engagement=e)
    assert AssignmentCompletion.objects.count() == 1  # a double submit adds nothing
    assert services.assignment_undo(actor=peer.paul, assignment=assignment, engagement=e)
    assert not AssignmentCompletion.objects.exists()
    with pytest.raises(DomainError):
        services.assignment_complete(actor=peer.sue, assignment=assignment, engagement=e)


def test_a_performance_engagement_has_no_team_page(world, signed_in):
    response = signed_in(world.cora).get(reverse("peer_team", args=[world.engagement.pk]))
    assert response.status_code == 404


# --- level_reached, for every rating ------------------------------------------------------------

SPEC = EffectivenessSpec(
    levels=[EffectivenessLevelSpec(key=k, title=k, indicators=["seen"]) for k in LEVELS],
    points=[EffectivenessPointSpec(key="start", title="Start", due_days=0)],
    scale=(1, 4),
    reached_at=3,
)
ratings = st.dictionaries(
    st.sampled_from(LEVELS), st.integers(min_value=1, max_value=4).map(lambda r: {"rating": r})
)


@given(levels=ratings, level=st.sampled_from(LEVELS), raise_by=st.integers(0, 3))
def test_raising_a_rating_never_lowers_the_level_reached(levels, level, raise_by):
    reached = services.level_reached(SPEC, levels)
    assert 0 <= reached <= len(SPEC.levels)
    raised = dict(levels)
    before = levels.get(level, {"rating": 1})["rating"]
    raised[level] = {"rating": min(4, before + raise_by)}
    assert services.level_reached(SPEC, raised) >= reached


@given(levels=ratings)
def test_a_level_is_reached_only_with_every_level_before_it(levels):
    reached = services.level_reached(SPEC, levels)
    for key in LEVELS[:reached]:
        assert levels[key]["rating"] >= 3
    if reached < len(LEVELS):
        nxt = levels.get(LEVELS[reached])
        assert nxt is None or nxt["rating"] < 3
