"""The programme administrator's cadence overview in the browser, with axe: engagements off
cadence first with the reasons, the filters without JavaScript needed, and the export links."""

import datetime

import pytest
from playwright.sync_api import expect

from coachloop.cadence import services
from coachloop.e2e.conftest import sign_in
from coachloop.engagements.models import Participant
from coachloop.meetings.models import Meeting
from coachloop.testing.factories import EngagementFactory
from coachloop.testing.personas import build_peer

pytestmark = pytest.mark.browser


@pytest.fixture
def teams(world):
    peer = build_peer(world)
    other = EngagementFactory(
        programme=peer.engagement.programme,
        organisation=peer.engagement.organisation,
        title="Peer team: Rita and Rob",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=peer.engagement.playbook_version,
    )
    Participant.objects.create(engagement=other, user=peer.paul, role="coach")
    for month, mode in ((9, "phone"), (10, "phone")):
        starts_at = datetime.datetime(2026, month, 8, 9, tzinfo=datetime.UTC)
        Meeting.objects.create(
            organisation=other.organisation,
            engagement=other,
            meeting_type="session",
            title="Session",
            starts_at=starts_at,
            held_at=starts_at,
            status="held",
            mode=mode,
            author=peer.paul,
            visibility="team",
        )
    # Pia and Paul never met: off track; Rita and Rob met by phone twice: the next session
    # should be in person.
    services.refresh_all(today=datetime.date(2026, 11, 3))
    return peer


def test_the_administrator_reads_the_cadence_overview(checked, world, teams):
    page = checked.page
    sign_in(checked, world.ada)
    checked.goto("/cadence/")
    expect(page.get_by_role("heading", name="Cadence", level=1)).to_be_visible()
    rows = page.locator("table.cadence tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Peer team: Pia and Paul")
    expect(rows.first).to_contain_text("Off track")
    expect(rows.first).to_contain_text("No session in October 2026")
    expect(rows.nth(1)).to_contain_text("The next session should be in person")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()

    page.get_by_label("Search by engagement or team member").fill("Rita")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("At risk")
    checked.axe()

    page.get_by_label("Search by engagement or team member").fill("")
    page.get_by_label("Cadence", exact=True).select_option("on_track")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No engagement has this cadence status.")).to_be_visible()
    checked.axe()

    checked.goto(f"/programmes/{teams.engagement.programme.pk}/cadence/")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(
        teams.engagement.programme.name
    )


def test_a_team_member_is_told_the_overview_is_not_for_them(checked, world, teams):
    sign_in(checked, teams.pia)
    checked.goto("/cadence/")
    expect(
        checked.page.get_by_text("Only programme administrators see the cadence overview.")
    ).to_be_visible()
