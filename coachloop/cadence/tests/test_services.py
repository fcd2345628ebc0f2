"""Checking and storing the cadence of engagements: one at a time (and whenever a meeting
changes), and all at once in batches with a fixed number of queries per batch."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachloop.cadence import services
from coachloop.engagements.models import Engagement, Participant
from coachloop.meetings.signals import meeting_changed, meeting_held
from coachloop.testing.factories import EngagementFactory

D = datetime.date
DT = datetime.datetime


def test_refresh_stores_the_status_and_the_reasons(peer, meeting):
    engagement = peer.engagement
    meeting(engagement, DT(2026, 9, 8, 10))
    services.refresh(engagement, today=D(2026, 11, 3))
    engagement.refresh_from_db()
    assert engagement.cadence_status == "off_track"
    assert [r["message"] for r in engagement.cadence_reasons] == ["No session in October 2026"]
    assert engagement.cadence_checked_at is not None


def test_only_the_counted_meeting_types_count(peer, meeting):
    engagement = peer.engagement
    meeting(engagement, DT(2026, 9, 8, 10))
    meeting(engagement, DT(2026, 10, 8, 10), meeting_type="triad")  # not a cadence session
    assert services.refresh(engagement, today=D(2026, 11, 3)).status == "off_track"
    meeting(engagement, DT(2026, 10, 20, 10))
    assert services.refresh(engagement, today=D(2026, 11, 3)).status == "on_track"


def test_a_sydney_session_after_midnight_counts_for_its_own_month(peer, meeting):
    engagement = peer.engagement
    meeting(engagement, DT(2026, 9, 8, 10), tz="Australia/Sydney")
    # 00:30 on 1 November in Sydney is still 31 October in UTC: it counts for November
    meeting(engagement, DT(2026, 11, 1, 0, 30), tz="Australia/Sydney")
    verdict = services.refresh(engagement, today=D(2026, 11, 5))
    assert verdict.status == "off_track"
    assert [r["message"] for r in verdict.reasons] == ["No session in October 2026"]
    # and November is met
    assert services.refresh(engagement, today=D(2026, 12, 2)).status == "on_track"


def test_a_changed_meeting_checks_the_cadence_again(peer, meeting):
    engagement = peer.engagement
    assert engagement.cadence_status == "none"
    m = meeting(engagement, DT(2026, 9, 8, 10))
    meeting_changed.send(sender=type(m), meeting=m, actor=peer.pia)
    engagement.refresh_from_db()
    assert engagement.cadence_status != "none"
    assert engagement.cadence_checked_at is not None
    engagement.cadence_status = "none"
    engagement.save(update_fields=["cadence_status"])
    meeting_held.send(sender=type(m), meeting=m, actor=peer.pia)
    engagement.refresh_from_db()
    assert engagement.cadence_status != "none"


def test_a_completed_engagement_is_never_at_risk(peer, meeting):
    engagement = peer.engagement
    meeting(engagement, DT(2026, 9, 8, 10))
    meeting(engagement, DT(2026, 10, 8, 10))
    engagement.status = "completed"
    engagement.completed_at = DT(2026, 10, 31, 12, tzinfo=datetime.UTC)
    engagement.save()
    verdict = services.refresh(engagement, today=D(2026, 12, 20))
    assert verdict.status == "on_track"
    assert verdict.reasons == []


def _copies(peer, n):
    """`n` more peer engagements like Pia and Paul's, with the same team."""
    out = []
    for i in range(n):
        e = EngagementFactory(
            programme=peer.engagement.programme,
            organisation=peer.engagement.organisation,
            title=f"Peer team {i}",
            starts_on=D(2026, 9, 1),
            playbook_version=peer.engagement.playbook_version,
        )
        Participant.objects.create(engagement=e, user=peer.pia, role="coach")
        out.append(e)
    return out


def test_refresh_all_checks_every_active_engagement_in_batches_of_fixed_queries(
    peer, meeting, instructional
):
    engagements = [peer.engagement, *_copies(peer, 6)]
    for e in engagements[:3]:
        meeting(e, DT(2026, 9, 8, 10))
        meeting(e, DT(2026, 10, 8, 10), mode="phone")
    with CaptureQueriesContext(connection) as small:
        assert services.refresh_all(today=D(2026, 11, 3), batch=3) == 7
    for e in engagements[3:]:
        for month in (9, 10):
            meeting(e, DT(2026, month, 8, 10))
    more = _copies(peer, 2)  # 9 engagements: still three batches of three
    with CaptureQueriesContext(connection) as large:
        assert services.refresh_all(today=D(2026, 11, 3), batch=3) == 9
    assert len(large) == len(small)
    statuses = dict(Engagement.objects.values_list("pk", "cadence_status"))
    assert statuses[engagements[0].pk] == "on_track"
    assert statuses[engagements[5].pk] == "on_track"
    assert statuses[more[0].pk] == "off_track"
    # the instructional engagement's playbook has no cadence rules: left alone
    assert statuses[instructional.pk] == "none"


def test_refresh_all_leaves_completed_engagements_alone(peer):
    peer.engagement.status = "completed"
    peer.engagement.save()
    assert services.refresh_all(today=D(2026, 11, 3)) == 0
