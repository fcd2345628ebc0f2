"""Surveys seen from the rest of the product: the peer team's 360 links, and who counts as a
school's leader when reports are shared."""

import datetime

import pytest
from django.utils import timezone

from coachloop.access import policy
from coachloop.surveys.library import builtin
from coachloop.surveys.models import Administration

pytestmark = pytest.mark.django_db


def school_survey(lfl, world):
    instrument = lfl.instrument
    assert instrument.current is not None
    return Administration.objects.create(
        organisation=world.oak,
        engagement=lfl.engagement,
        version=instrument.current,
        title="Autumn survey",
        roles=["teacher", "staff", "leader"],
        opens_on=datetime.date(2026, 9, 1),
        closes_on=datetime.date(2026, 9, 30),
        closed_at=timezone.now(),
        visibility="sponsors",
        created_by=world.cora,
    )


def test_a_school_leader_sees_their_own_schools_report_not_every_school_under_their_district(
    lfl, world, peer
):
    """Peer coaching gives Pia (Oak) and Paul (Elm) a school leader role at the district, where
    their team lives. That role must not open every school's survey to them: only the school
    they lead."""
    survey = school_survey(lfl, world)
    assert policy.allowed(peer.pia, policy.Action.VIEW, survey)
    assert not policy.allowed(peer.paul, policy.Action.VIEW, survey)
    assert not policy.improvement_plans_managed_by(peer.paul).exists()
    assert not policy.organisations_planned_by(peer.paul).filter(pk=world.oak.pk).exists()
    assert policy.organisations_planned_by(peer.pia).filter(pk=world.oak.pk).exists()


def test_the_peer_team_page_starts_a_360_of_a_member_and_lists_its_results(peer, signed_in):
    client = signed_in(peer.pia)
    page = client.get(f"/engagements/{peer.engagement.pk}/team/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "360 surveys" in text
    link = f"/engagements/{peer.engagement.pk}/surveys/new/?subject={peer.paul.pk}"
    assert link in text
    form = client.get(f"{link}&instrument=leader-360")
    assert form.status_code == 200
    chosen = form.context["form"].initial
    assert chosen["subject"] == peer.paul.pk
    assert chosen["instrument"] == builtin("leader-360").pk

    instrument = builtin("leader-360")
    assert instrument.current is not None
    survey = Administration.objects.create(
        organisation=peer.engagement.organisation,
        engagement=peer.engagement,
        version=instrument.current,
        subject=peer.paul,
        title="360 of Paul",
        roles=["self", "peer", "staff"],
        opens_on=datetime.date(2026, 9, 1),
        closes_on=datetime.date(2026, 9, 30),
        closed_at=timezone.now(),
        visibility="team",
        created_by=peer.pia,
    )
    text = client.get(f"/engagements/{peer.engagement.pk}/team/").content.decode()
    assert "360 of Paul" in text
    assert f"/surveys/{survey.pk}/report/" in text
    # Sue, the supervisor, sees the section but cannot start a 360 (not a member)
    client = signed_in(peer.sue)
    text = client.get(f"/engagements/{peer.engagement.pk}/team/").content.decode()
    assert "Start a 360 survey" not in text
