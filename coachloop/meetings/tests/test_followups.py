"""Agreed next steps: added by those who may write the minutes, owned by a team member, read
at the visibility of the minutes they came from, marked done and reopened."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coachloop.access import policy
from coachloop.lib.errors import DomainError
from coachloop.meetings import followups, services
from coachloop.meetings.models import FollowUp


def plan(peer, meeting_type="session"):
    return services.meeting_schedule(
        actor=peer.pia,
        engagement=peer.engagement,
        meeting_type=meeting_type,
        starts_at=datetime.datetime(2026, 9, 2, 10, 0),
        time_zone="Europe/London",
        mode="in_person",
    )


def test_a_team_next_step_is_never_seen_by_the_supervisor(peer, world):
    meeting = plan(peer)
    item = followups.follow_up_add(
        actor=peer.pia,
        meeting=meeting,
        text="Paul drafts the staff survey",
        owner=peer.paul,
        due_on=datetime.date(2026, 9, 30),
    )
    assert item.visibility == "team"
    for reader in (peer.pia, peer.paul):
        assert list(followups.follow_ups_for(reader, peer.engagement)) == [item]
    for outsider in (peer.sue, world.dan, world.ada, world.ben):
        assert not followups.follow_ups_for(outsider, peer.engagement).exists()
        assert not policy.follow_ups_visible_to(outsider).filter(pk=item.pk).exists()


def test_a_triad_next_step_reaches_the_supervisor(peer):
    triad = plan(peer, "triad")
    item = followups.follow_up_add(
        actor=peer.paul, meeting=triad, text="Sue books a visit", owner=None
    )
    assert item.visibility == "sponsors"
    assert list(followups.follow_ups_for(peer.sue, peer.engagement)) == [item]
    assert followups.follow_ups_for(peer.sue, peer.engagement).get().can_change is False


def test_the_owner_is_one_of_the_team_and_the_text_is_needed(peer, world):
    meeting = plan(peer)
    for owner in (peer.sue, world.tom):
        with pytest.raises(DomainError) as err:
            followups.follow_up_add(actor=peer.pia, meeting=meeting, text="x", owner=owner)
        assert err.value.field == "owner"
    with pytest.raises(DomainError) as err:
        followups.follow_up_add(actor=peer.pia, meeting=meeting, text="  ", owner=peer.pia)
    assert err.value.field == "text"
    with pytest.raises(PermissionDenied):
        followups.follow_up_add(actor=peer.sue, meeting=meeting, text="x", owner=peer.pia)
    assert not FollowUp.objects.exists()


def test_done_and_reopened(peer):
    item = followups.follow_up_add(actor=peer.pia, meeting=plan(peer), text="Read", owner=peer.pia)
    done = followups.follow_up_done(actor=peer.paul, follow_up=item, done=True)
    assert done.done_by == peer.paul
    assert done.done_at is not None
    reopened = followups.follow_up_done(actor=peer.pia, follow_up=item, done=False)
    assert reopened.done_at is None
    assert reopened.done_by is None


def test_the_meeting_page_lists_adds_and_ticks_off_next_steps(peer, signed_in):
    meeting = plan(peer)
    pia = signed_in(peer.pia)
    add = reverse("follow_up_add", args=[peer.engagement.pk, meeting.pk])
    response = pia.post(add, {"next-text": "", "next-owner": str(peer.paul.pk)})
    assert response.status_code == 422
    assert "Write the next step." in response.content.decode()
    response = pia.post(
        add,
        {
            "next-text": "Share the DISC results",
            "next-owner": str(peer.paul.pk),
            "next-due_on": "2026-09-20",
        },
    )
    assert response.status_code == 302
    html = pia.get(meeting.get_absolute_url()).content.decode()
    assert "Share the DISC results" in html
    assert f"Who: {peer.paul}" in html
    item = FollowUp.objects.get()
    response = pia.post(
        reverse("follow_up_done", args=[peer.engagement.pk, item.pk]), {"done": "1"}, follow=True
    )
    assert "“Share the DISC results” is done." in [str(m) for m in response.context["messages"]]
    item.refresh_from_db()
    assert item.done_by == peer.pia
    # Sue sees the meeting, not the team's next steps, and cannot tick them off.
    sue = signed_in(peer.sue)
    assert "Share the DISC results" not in sue.get(meeting.get_absolute_url()).content.decode()
    done_url = reverse("follow_up_done", args=[peer.engagement.pk, item.pk])
    assert sue.post(done_url, {"done": "0"}).status_code == 404
    item.refresh_from_db()
    assert item.done_at is not None
