"""The demo's peer coaching programme (seed 001) and the meetings' new fields: teams whose
members are both coach and coachee, supervisors kept informed but not told what the team says,
meetings with their invited participants, and cadence rows off and at risk for the overview."""

import datetime

import pytest
from django.conf import settings

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.demo.generator import DEMO_DOMAIN, generate
from coachloop.engagements.models import (
    CadenceStatus,
    Engagement,
    Note,
    ParticipantRole,
)
from coachloop.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from coachloop.organisations.models import Membership, Role
from coachloop.peer.models import AssignmentCompletion, EffectivenessRating, Goal, GoalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    generate(size="demo", seed=2026)


def persona(name):
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def peer_teams():
    return Engagement.objects.filter(playbook_version__playbook__key="peer-coaching")


def people(engagement, role):
    return set(engagement.participants.filter(role=role).values_list("user_id", flat=True))


def test_peer_teams_of_two_or_three_leaders_each_coach_and_coachee(demo):
    teams = list(peer_teams())
    assert len(teams) == 8
    seen: set[int] = set()
    sizes = set()
    for team in teams:
        coaches = people(team, ParticipantRole.COACH)
        assert coaches == people(team, ParticipantRole.COACHEE)
        sizes.add(len(coaches))
        assert not coaches & seen, "a leader is in one team at most"
        seen |= coaches
        sponsors = people(team, ParticipantRole.SPONSOR)
        assert sponsors
        assert not sponsors & coaches
        for user_id in coaches:  # a team across schools lives at the district: a role there
            assert Membership.objects.filter(
                user_id=user_id, organisation=team.organisation, role=Role.SCHOOL_LEADER
            ).exists()
    assert sizes == {2, 3}
    leader = peer_teams().get(participants__user=persona("leader"), participants__role="coach")
    assert persona("district").pk in people(leader, ParticipantRole.SPONSOR)
    assert policy.engagements_visible_to(persona("leader")).filter(pk=leader.pk).exists()


def test_every_generated_meeting_invites_its_people_with_attendance_when_held(demo):
    meetings = Meeting.objects.all()
    assert meetings.count() > 200
    assert not meetings.filter(participants=None).exists()
    assert len(set(meetings.values_list("uid", flat=True))) == meetings.count()
    # the server's zone, in which the generator places them
    assert set(meetings.values_list("time_zone", flat=True)) == {settings.TIME_ZONE}
    for row in MeetingParticipant.objects.select_related("meeting"):
        expected = {MeetingStatus.HELD: True}.get(row.meeting.status)
        assert row.attended is expected, row.meeting.status
        assert row.meeting.engagement.participants.filter(user_id=row.user_id).exists()
    # a peer session invites the members, a triad meeting the supervisors too
    for meeting in Meeting.objects.filter(engagement__in=peer_teams()):
        invited = set(meeting.participants.values_list("user_id", flat=True))
        members = people(meeting.engagement, ParticipantRole.COACH)
        sponsors = people(meeting.engagement, ParticipantRole.SPONSOR)
        if meeting.meeting_type in ("triad", "orientation"):
            assert invited == members | sponsors
        else:
            assert invited == members
    cancelled = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    for meeting in cancelled:
        assert meeting.sequence == 1
        assert meeting.reason
        assert meeting.cancelled_at
    assert not Meeting.objects.exclude(status=MeetingStatus.CANCELLED).exclude(sequence=0).exists()


def test_supervisors_never_read_team_notes_or_session_minutes_but_see_goals_and_levels(demo):
    team = peer_teams().get(participants__user=persona("leader"), participants__role="coach")
    supervisor = persona("district")
    member = persona("leader")
    notes = Note.objects.filter(engagement=team)
    assert notes.exists()
    assert set(notes.values_list("visibility", flat=True)) == {"team"}
    assert not policy.notes_visible_to(supervisor).filter(engagement=team).exists()
    assert policy.notes_visible_to(member).filter(engagement=team).count() == notes.count()
    sessions = Meeting.objects.filter(engagement=team, meeting_type="session", status="held")
    assert sessions.exists()
    minutes = policy.meeting_minutes_visible_to(supervisor).filter(engagement=team)
    assert not minutes.filter(meeting_type="session").exists()
    assert minutes.filter(meeting_type="orientation").exists()  # at sponsors: shared
    # what supervisors are told: attendance (the meetings), goals' status, the levels
    assert policy.meetings_visible_to(supervisor).filter(pk__in=sessions).count() == (
        sessions.count()
    )
    goals = Goal.objects.filter(engagement=team)
    assert goals.exists()
    assert policy.goals_visible_to(supervisor).filter(engagement=team).count() == goals.count()
    ratings = EffectivenessRating.objects.filter(engagement=team)
    assert ratings.exists()
    visible = policy.effectiveness_ratings_visible_to(supervisor).filter(engagement=team)
    assert visible.count() == ratings.count()
    # an outsider to the team (another school leader) reads none of it
    outsider = (
        User.objects.filter(
            memberships__role=Role.SCHOOL_LEADER, memberships__organisation=team.organisation
        )
        .exclude(participations__engagement=team)
        .first()
    )
    assert outsider is not None
    assert not policy.goals_visible_to(outsider).filter(engagement=team).exists()
    assert not policy.notes_visible_to(outsider).filter(engagement=team).exists()


def test_goals_ratings_and_assignments_are_consistent(demo):
    teams = peer_teams()
    accomplished = Goal.objects.filter(engagement__in=teams, status=GoalStatus.ACCOMPLISHED)
    assert accomplished.exists()
    assert all(g.evidence and g.accomplished_on for g in accomplished)
    levels = ["reaction", "self-awareness", "behaviour", "performance"]
    for rating in EffectivenessRating.objects.filter(engagement__in=teams):
        assert set(rating.levels) == set(levels)  # PostgreSQL keeps no key order in JSON
        reached = 0
        for key in levels:
            if rating.levels[key]["rating"] < 3:
                break
            reached += 1
        assert rating.reached == reached
        assert (rating.perspective == "self") == (rating.rater_id == rating.subject_id)
    for completion in AssignmentCompletion.objects.select_related("assignment"):
        assert completion.member_id in people(completion.engagement, ParticipantRole.COACHEE)
        if completion.assignment.interaction == "none":
            assert not completion.interaction_done


def test_the_cadence_overview_has_teams_on_track_at_risk_and_off_track():
    # on the 20th, past the day by which the month's session should be scheduled
    generate(size="demo", seed=2026, now=datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC))
    statuses = set(peer_teams().values_list("cadence_status", flat=True))
    assert {CadenceStatus.ON_TRACK, CadenceStatus.AT_RISK, CadenceStatus.OFF_TRACK} <= statuses
    for team in peer_teams().exclude(cadence_status=CadenceStatus.ON_TRACK):
        assert team.cadence_reasons
        assert team.cadence_checked_at
